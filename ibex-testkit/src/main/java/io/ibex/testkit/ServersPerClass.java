package io.ibex.testkit;

import io.ibex.embedded.PostgresServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The servers of a test class (a source and a target, or any number): every static {@link Server} field gets a
 * PostgreSQL server of its version, started once for the class before its own {@code @BeforeAll} methods (so they
 * can set the servers up) and closed after its last test.
 * <pre>
 * &#64;ExtendWith(ServersPerClass.class)
 * class ConcurrencyTest {
 *     &#64;Server("9.6") static PostgresServer source;
 *     &#64;Server("17") static PostgresServer target;
 * </pre>
 */
public final class ServersPerClass implements BeforeAllCallback, AfterAllCallback {

    /** What one class started, kept in its context (an extension instance may serve several classes). */
    private record Started(List<Field> fields, List<PostgresServer> servers) {
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Started started = new Started(new ArrayList<>(), new ArrayList<>());
        store(context).put(Started.class, started);
        for (Field field : serverFields(context.getRequiredTestClass())) {
            Server server = field.getAnnotation(Server.class);
            PostgresServer pg = PostgresServer.start(server.value(), settings(server));
            started.servers().add(pg);
            field.setAccessible(true);
            field.set(null, pg);
            started.fields().add(field);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Started started = store(context).remove(Started.class, Started.class);
        if (started == null) {
            return;
        }
        for (Field field : started.fields()) {
            field.set(null, null);
        }
        for (int i = started.servers().size() - 1; i >= 0; i--) {
            started.servers().get(i).close();
        }
    }

    private static ExtensionContext.Store store(ExtensionContext context) {
        return context.getStore(ExtensionContext.Namespace.create(ServersPerClass.class, context.getRequiredTestClass()));
    }

    private static List<Field> serverFields(Class<?> testClass) {
        List<Field> fields = new ArrayList<>();
        for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.isAnnotationPresent(Server.class)) {
                    if (!Modifier.isStatic(f.getModifiers()) || f.getType() != PostgresServer.class) {
                        throw new IllegalStateException("@Server " + c.getSimpleName() + "." + f.getName()
                                + " must be a static PostgresServer field");
                    }
                    fields.add(f);
                }
            }
        }
        return fields;
    }

    private static Map<String, String> settings(Server server) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String s : server.settings()) {
            int eq = s.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("a server setting is name=value: " + s);
            }
            settings.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
        }
        return settings;
    }
}
