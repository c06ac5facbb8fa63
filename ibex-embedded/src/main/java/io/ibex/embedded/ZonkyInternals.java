package io.ibex.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.Closeable;
import java.io.File;
import java.lang.reflect.Field;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The two things zonky's {@link EmbeddedPostgres} has no API for: where its extracted binaries are (to run
 * {@code pg_ctl stop -m immediate}), and forgetting an instance whose server is already gone without running its
 * fast-shutdown {@code close()} (which would fail and log an error). Reflection on zonky 2.2.x private fields.
 */
final class ZonkyInternals {
    private ZonkyInternals() {
    }

    static Path binariesDir(EmbeddedPostgres pg) {
        Object dir = field(pg, "pgDir");
        return dir instanceof File f ? f.toPath() : Path.of(dir.toString());
    }

    /** Marks the instance closed and releases its data-directory lock, without touching the server. */
    static void abandon(EmbeddedPostgres pg) throws Exception {
        ((AtomicBoolean) field(pg, "closed")).set(true);
        Object lock = field(pg, "lock");
        if (lock instanceof FileLock l) {
            l.release();
        }
        for (String name : new String[] {"lockStream", "lockChannel"}) {
            Object stream = fieldOrNull(pg, name);
            if (stream instanceof Closeable c) {
                c.close();
            }
        }
    }

    private static Object field(Object target, String name) {
        Object value = fieldOrNull(target, name);
        if (value == null) {
            throw new IllegalStateException("zonky EmbeddedPostgres has no field " + name + " (version changed?)");
        }
        return value;
    }

    private static Object fieldOrNull(Object target, String name) {
        try {
            Field f = target.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return f.get(target);
        } catch (NoSuchFieldException e) {
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read zonky field " + name, e);
        }
    }
}
