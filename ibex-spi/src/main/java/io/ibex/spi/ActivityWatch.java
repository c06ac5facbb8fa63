package io.ibex.spi;

import java.sql.SQLException;

/** A source's sign of committed changes, looked at again and again on one connection (see ChangeSource#watch). */
public interface ActivityWatch extends AutoCloseable {

    /** What one look found. capturing: the source has capture installed; changed: changes may have committed since. */
    record Activity(boolean capturing, boolean changed) {
    }

    Activity look() throws SQLException;

    @Override
    void close() throws SQLException;
}
