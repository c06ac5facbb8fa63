package io.ibex.apply;

import io.ibex.IbexException;
import io.ibex.db.Pg;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Whether a transaction of a PostgreSQL target committed, from its 64-bit txid (txid_status, PostgreSQL 10+): how a
 * resumed copy settles a range whose transaction was in flight when the daemon died. A transaction still running is
 * that of a client gone (the server notices a dead socket only at its next read or write): its backend is ended
 * (pg_terminate_backend), after which the transaction is either committed or aborted for good.
 */
final class TransactionFate {

    private static final long WAIT_MS = 30_000;

    private TransactionFate() {
    }

    /** The current transaction's id, assigning one (txid_current, every version). */
    static long current(Connection c) throws SQLException {
        return Pg.queryLong(c, "SELECT txid_current()");
    }

    /** True: committed; false: aborted; empty: the server cannot tell (before 10, or the id is too old). */
    static Optional<Boolean> committed(Connection c, long txid) throws SQLException {
        if (Pg.serverVersion(c) < 100000) {
            return Optional.empty();
        }
        try {
            long deadline = System.currentTimeMillis() + WAIT_MS;
            boolean terminated = false;
            while (true) {
                String status = Pg.queryString(c, "SELECT txid_status(?::bigint)", txid);
                if (status == null) {
                    return Optional.empty();
                }
                if (!status.equals("in progress")) {
                    return Optional.of(status.equals("committed"));
                }
                if (!terminated) {
                    // backend_xid is the id's low 32 bits
                    Pg.queryString(c, "SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE backend_xid::text::bigint = ?::bigint",
                            txid & 0xFFFFFFFFL);
                    terminated = true;
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IbexException("the target transaction " + txid + " of a copy cut short is still running after "
                            + WAIT_MS / 1000 + " s");
                }
                c.rollback(); // a fresh snapshot for the next look
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IbexException("interrupted while waiting for a target transaction to end");
        } finally {
            Pg.rollbackQuietly(c);
        }
    }
}
