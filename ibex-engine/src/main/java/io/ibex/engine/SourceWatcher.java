package io.ibex.engine;

import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.settings.Settings;
import io.ibex.spi.ActivityWatch;
import io.ibex.spi.ChangeSources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Watches a source for committed changes and passes a kick on: it looks at the source's capture's sign of
 * activity ({@link ActivityWatch}) every poll_ms ms, every second while no capture is installed. A kick may
 * come for a transaction that changed nothing ibex captures; that costs an empty run. Reconnects on its own after
 * an outage and kicks once after each reconnect.
 */
final class SourceWatcher implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(SourceWatcher.class);

    /** The daemon's current settings: poll_ms, how often the source is polled. */
    private final Supplier<Settings> settings;

    private final Database db;
    private final Consumer<String> onKick;
    private final Predicate<String> kickPending;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Connection connection;
    private final Object wake = new Object();
    /** How many times a sync took a kick (see kickTaken); guarded by wake. */
    private long kicksTaken;
    /** The longest wait for a kick to be taken before the watcher looks again (a sync paused with its kick). */
    private static final long KICK_WAIT_MS = 1000;

    /** kickPending: whether every sync that reads the source has a kick it has not yet begun to run. */
    SourceWatcher(Database db, Consumer<String> onKick, Predicate<String> kickPending, Supplier<Settings> settings) {
        this.settings = settings;
        this.db = db;
        this.onKick = onKick;
        this.kickPending = kickPending;
        this.thread = new Thread(this, "watch-" + db.name());
        this.thread.setDaemon(true);
    }

    Database database() {
        return db;
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopping = true;
        thread.interrupt();
        Pg.closeQuietly(connection);
    }

    @Override
    public void run() {
        boolean warned = false;
        while (!stopping) {
            try (Connection c = db.connection().open("ibex-watcher")) {
                connection = c;
                c.setAutoCommit(true);
                Pg.exec(c, "SET synchronous_commit = off"); // the fences write nothing worth a flush
                if (warned) {
                    log.info("MCP Watching database \"{}\" again", db.name());
                    warned = false;
                }
                onKick.accept(db.name());
                watch(c);
            } catch (Exception e) {
                if (stopping) {
                    return;
                }
                if (!warned) {
                    log.warn("MCP Cannot watch database \"{}\": {} (retrying every 5 s)", db.name(), Pg.firstLine(e));
                    warned = true;
                }
                if (!sleep(5000)) {
                    return;
                }
            }
        }
    }

    private void watch(Connection c) throws SQLException {
        boolean capturing = false;
        try (ActivityWatch activity = ChangeSources.of(db).watch(c)) {
            while (!stopping) {
                if (capturing) {
                    long seen = kicksTaken();
                    if (kickPending.test(db.name())) {
                        // every sync has a kick whose run has not begun: that run's position is taken after anything
                        // seen now, so a look would teach nothing. Nothing is noted, so the first look after the run
                        // began sees the activity: a busy source costs a few reads per run, not a read every poll_ms.
                        // Waiting for the run to begin, rather than sleeping poll_ms at a time, spares the machine a
                        // hundred wake-ups a second while a busy sync gathers changes.
                        if (!awaitKickTaken(seen)) {
                            return;
                        }
                        continue;
                    }
                }
                ActivityWatch.Activity a = activity.look();
                capturing |= a.capturing();
                if (a.changed()) {
                    onKick.accept(db.name());
                }
                if (!sleep(a.capturing() ? settings.get().pollMs() : 1000)) {
                    return;
                }
            }
        }
    }

    /** A sync took its kick (its run begins): a watcher waiting for that polls again at once. */
    void kickTaken() {
        synchronized (wake) {
            kicksTaken++;
            wake.notifyAll();
        }
    }

    long kicksTaken() {
        synchronized (wake) {
            return kicksTaken;
        }
    }

    /** Waits until a kick is taken after the count seen, or a second has passed; false when stopping. */
    boolean awaitKickTaken(long seen) {
        long until = System.currentTimeMillis() + KICK_WAIT_MS;
        synchronized (wake) {
            try {
                long left;
                while (kicksTaken == seen && !stopping && (left = until - System.currentTimeMillis()) > 0) {
                    wake.wait(left);
                }
            } catch (InterruptedException e) {
                return false;
            }
        }
        return !stopping;
    }

    private boolean sleep(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
