package io.ibex.spi.jdbc;

import io.ibex.spi.ApplyException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A sync's fence on a target that is not PostgreSQL (several daemons on one repository; docs/design.md, "Several
 * daemons: leases and fencing"): the table {@code ibex_fence} in the target database holds, per sync, the epoch of the
 * newest lease owner that wrote there. Every transaction of a fenced session reads its sync's row first, with a
 * shared lock where the engine has row locks ({@link Dialect#lockingRead()}), and stands down if the epoch is not
 * its own. A new owner raises the row to its epoch before its first write: the UPDATE waits until every older
 * transaction that read the row has ended (the adapter may end them: MariaDB does, see MariaDbTarget), so each of an
 * older owner's transactions either committed before the raise or finds the newer epoch and writes nothing. SQLite has
 * one writer at a time, which gives the same order without row locks.
 */
public final class JdbcFence {

    static final String TABLE = "ibex_fence";

    /** Runs the raise: an adapter may do more while it waits (end the older owner's transactions in flight). */
    interface Raise {
        void run(SqlAction update) throws SQLException;
    }

    /** One step against the target that may fail with the driver's exception. */
    public interface SqlAction {
        void run() throws SQLException;
    }

    private final String database;
    private final Connection c;
    private final Dialect dialect;
    private String sync;
    private long epoch;

    JdbcFence(String database, Connection c, Dialect dialect) {
        this.database = database;
        this.c = c;
        this.dialect = dialect;
    }

    /** Fences the session for the sync at that epoch, raising the row if it is lower; committed. */
    void fence(String sync, long epoch, Raise raise) throws SQLException {
        Long current;
        try {
            current = read(sync, "");
        } catch (SQLException missing) { // made here the first time (a user without CREATE can be given the table made)
            c.rollback();
            try (Statement s = c.createStatement()) {
                s.execute(dialect.fenceTable());
            }
            c.commit();
            current = read(sync, "");
        }
        if (current == null) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (sync, epoch) VALUES (?, ?)")) {
                ps.setString(1, sync);
                ps.setLong(2, epoch);
                ps.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback(); // another session of the sync inserted it first
            }
            current = read(sync, "");
        }
        c.commit();
        if (current != null && current < epoch) {
            raise.run(() -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET epoch = ? WHERE sync = ? AND epoch < ?")) {
                    ps.setLong(1, epoch);
                    ps.setString(2, sync);
                    ps.setLong(3, epoch);
                    ps.executeUpdate();
                }
                c.commit();
            });
            current = read(sync, "");
            c.commit();
        }
        if (current == null || current != epoch) {
            throw ApplyException.standingDown(database, sync, current, epoch);
        }
        this.sync = sync;
        this.epoch = epoch;
    }

    /** In the transaction just begun, before its first write: the sync's row still holds this session's epoch. */
    void check() throws SQLException {
        if (sync == null) {
            return;
        }
        Long current = read(sync, dialect.lockingRead());
        if (current == null || current != epoch) {
            c.rollback();
            throw ApplyException.standingDown(database, sync, current, epoch);
        }
    }

    private Long read(String sync, String locking) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch FROM " + TABLE + " WHERE sync = ?" + locking)) {
            ps.setString(1, sync);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }
}
