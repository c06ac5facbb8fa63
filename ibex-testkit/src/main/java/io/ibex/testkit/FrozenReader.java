package io.ibex.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Freezes a daemon with a batch read but not applied: a lock on a source table makes the daemon's reader wait for
 * it (its window and snapshot are taken, its rows not yet read); the daemon is then SIGSTOPped and the lock let go.
 * When continued, the daemon holds the rows as its snapshot saw them: a stale batch, if it were let through.
 */
public final class FrozenReader {

    private FrozenReader() {
    }

    /** Locks the table until a daemon's session waits for it (up to 4 s), then freezes the daemon; false if none waited. */
    public static boolean freezeWhileReading(Db source, String table, DaemonProc daemon) throws SQLException, InterruptedException {
        try (Connection lock = source.connect()) {
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            while (System.nanoTime() < deadline) {
                if (source.queryLong("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.relation = '"
                        + table + "'::regclass AND NOT l.granted AND a.application_name LIKE 'ibex%'") > 0) {
                    daemon.freeze();
                    lock.rollback(); // the frozen reader's query goes on in its backend; the daemon does not read the answer yet
                    return true;
                }
                Thread.sleep(20);
            }
            lock.rollback();
            return false;
        }
    }

    /**
     * Continues the frozen daemon, waits until its log says it stands down from the sync, leaves it 3 s to write a
     * stale batch (were it not fenced), and returns its log since the SIGCONT, up to any later takeover of the sync.
     */
    public static String thawAndAwaitStandDown(DaemonProc frozen, String sync) throws Exception {
        int logBefore = frozen.log().length();
        frozen.thaw();
        Waits.await(Duration.ofSeconds(30), frozen.name() + " standing down", () -> {
            String after = frozen.log().substring(logBefore);
            return after.contains("Lost the lease of sync " + sync) || after.contains("Sync " + sync + " stopped here");
        });
        Thread.sleep(3000);
        String after = frozen.log().substring(logBefore);
        int retaken = after.indexOf("Took the lease of sync " + sync);
        return retaken < 0 ? after : after.substring(0, retaken);
    }
}
