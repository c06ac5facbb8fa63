package io.ibex.capture;

import org.postgresql.PGStatement;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The read of the activity sequence ({@link CaptureInstaller#ACTIVITY}), prepared once on the server (ibex's
 * connections otherwise never prepare): a poll every poll_ms parsed and planned anew cost the source half as much
 * CPU as all the reads of the batches.
 */
final class ActivityPoll implements AutoCloseable {
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
