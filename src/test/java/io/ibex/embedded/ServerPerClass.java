package io.ibex.embedded;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One PostgreSQL server for all the tests of a class, started before the first and closed after the last:
 * {@code @RegisterExtension static final ServerPerClass PG = new ServerPerClass("17");}, then {@code PG.get()}.
 * Started before the class's own {@code @BeforeAll} methods run, so they can set the server up.
 */
public final class ServerPerClass implements BeforeAllCallback, AfterAllCallback {
    private final String version;
    private PostgresServer server;

    public ServerPerClass(String version) {
        this.version = version;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = PostgresServer.start(version);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
    }

    public PostgresServer get() {
        return server;
    }
}
