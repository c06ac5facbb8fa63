package io.ibex.testkit;

import io.ibex.db.ConnectionSpec;
import io.ibex.engine.Daemon;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.fail;

/** The daemon in a thread of this JVM, for tests that do not kill the daemon itself. */
public final class InProcessDaemon implements AutoCloseable {

    static final String THREAD_NAME = "test-daemon";

    private final Daemon daemon;
    private final Thread thread;
    private volatile Throwable died;
    public final Path pidFile;

    /** Starts the daemon of a repository (it may still be starting on return: see {@link #awaitStarted}). */
    public InProcessDaemon(ConnectionSpec repository) throws Exception {
        pidFile = Files.createTempDirectory("ibex-daemon").resolve("ibex.pid");
        daemon = new Daemon(repository, pidFile);
        thread = new Thread(() -> {
            try {
                daemon.run();
            } catch (Throwable t) {
                died = t;
            }
        }, THREAD_NAME);
        thread.start();
    }

    public boolean awaitStarted(Duration timeout) throws InterruptedException {
        return daemon.awaitStarted(timeout);
    }

    /** Still running, and has not failed. */
    public boolean alive() {
        return thread.isAlive() && died == null;
    }

    public Throwable died() {
        return died;
    }

    @Override
    public void close() throws InterruptedException {
        daemon.requestStop();
        thread.join(90_000);
        if (thread.isAlive()) {
            fail("the daemon did not stop within 90 s");
        }
    }
}
