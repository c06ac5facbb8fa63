package io.ibex.engine;

import io.ibex.capture.CaptureInstaller;
import io.ibex.db.Pg;
import io.ibex.repository.Database;
import io.ibex.settings.Settings;
import org.postgresql.PGStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Watches a source for committed changes and passes a kick on. The capture triggers advance the sequence
 * {@link CaptureInstaller#ACTIVITY}; this polls its last_value every poll_ms ms. A new value means a
 * transaction wrote changes, but it may not have committed yet. So after a new value the watcher takes a fence (a
 * txid of its own, in a transaction that ends at once) and then a snapshot: every writer that advanced the sequence
 * before the value was read had its txid before the fence, and since the fence has ended, such a writer is either
 * visible in that snapshot or listed in it as in progress. (A snapshot does not list transactions with txids at or
 * above its xmax, which is why the fence is needed.) The writers in progress are kept, and each that ends kicks
 * again. A kick may come for a transaction that changed nothing ibex captures; that costs an empty run. Reconnects
 * on its own after an outage and kicks once after each reconnect.
 */
final class SourceWatcher implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(SourceWatcher.class);

    private final Database db;
    private final Consumer<String> onKick;
    private final Predicate<String> kickPending;
    /** The daemon's current settings: poll_ms, how often the source is polled. */
    private final Supplier<Settings> settings;
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
        this.db = db;
        this.settings = settings;
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
        Long last = null;
        Set<Long> pending = new HashSet<>();
        try (ActivityPoll poll = new ActivityPoll(c)) {
            while (!stopping) {
                if (last != null) {
                    long seen = kicksTaken();
                    if (kickPending.test(db.name())) {
                        // every sync has a kick whose run has not begun: that run's snapshot is taken after any value
                        // read now, so a read would teach nothing. Nothing is noted, so the first poll after the run
                        // began sees a new value and takes the fence: a busy source costs a fence and a few reads per
                        // run, not a read every pollMs. Waiting for the run to begin, rather than sleeping pollMs at a
                        // time, spares the machine a hundred wake-ups a second while a busy sync gathers changes.
                        if (!awaitKickTaken(seen)) {
                            return;
                        }
                        continue;
                    }
                }
                Long value = poll.read();
                boolean kick = false;
                if (value != null && !value.equals(last)) {
                    kick = last != null;
                    last = value;
                    long fence = Pg.queryLong(c, "SELECT txid_current()");
                    Progress p = Progress.read(c);
                    for (long x : p.inProgress()) {
                        if (x < fence) {
                            pending.add(x);
                        }
                    }
                    kick |= pending.removeIf(p::ended);
                } else if (!pending.isEmpty()) {
                    Progress p = Progress.read(c);
                    kick = pending.removeIf(p::ended);
                }
                if (value == null && legacyCapture(c)) {
                    kick = true; // captured by an ibex that kicked with NOTIFY: no sequence to watch, so run every second
                }
                if (kick) {
                    onKick.accept(db.name());
                }
                if (!sleep(value == null ? 1000 : settings.get().pollMs())) {
                    return;
                }
            }
        }
    }

    /**
     * The read of the sequence, prepared once on the server (ibex's connections otherwise never prepare): a poll
     * every pollMs parsed and planned anew cost the source half as much CPU as all the reads of the batches.
     */
    static final class ActivityPoll implements AutoCloseable {
        private final PreparedStatement ps;

        ActivityPoll(Connection c) throws SQLException {
            // is_called: the first nextval leaves last_value at 1, as it was before
            ps = c.prepareStatement("SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM " + CaptureInstaller.ACTIVITY);
            // prepared on the first execution; a statement the server has lost (DEALLOCATE, a pooler in transaction
            // mode) is prepared again by pgjdbc, which retries it by itself in autocommit
            ps.unwrap(PGStatement.class).setPrepareThreshold(1);
        }

        /** The sequence's last value, or null while the source has no capture installed (yet). */
        Long read() throws SQLException {
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            } catch (SQLException e) {
                if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                    return null;
                }
                throw e;
            }
        }

        @Override
        public void close() throws SQLException {
            ps.close();
        }
    }

    /** Whether the source has ibex's capture schema but not the activity sequence (installed by an older ibex). */
    private static boolean legacyCapture(Connection c) throws SQLException {
        return Pg.exists(c, "SELECT 1 FROM pg_namespace WHERE nspname = ?", CaptureInstaller.SCHEMA);
    }

    /** The transactions in progress in the current snapshot, and which txids have ended by then. */
    record Progress(long xmin, long xmax, Set<Long> inProgress) {

        static Progress read(Connection c) throws SQLException {
            return parse(Pg.queryString(c, "SELECT txid_current_snapshot()::text"));
        }

        static Progress parse(String snapshot) {
            String[] parts = snapshot.split(":", -1);
            Set<Long> xip = new HashSet<>();
            if (parts.length > 2 && !parts[2].isEmpty()) {
                for (String x : parts[2].split(",")) {
                    xip.add(Long.parseLong(x));
                }
            }
            return new Progress(Long.parseLong(parts[0]), Long.parseLong(parts[1]), xip);
        }

        boolean ended(long txid) {
            return txid < xmin || (txid < xmax && !inProgress.contains(txid));
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
