package io.ibex.repository;

import io.ibex.db.Pg;

import java.sql.Connection;
import java.time.OffsetDateTime;
import java.util.List;

import static io.ibex.repository.Jdbc.call;

/** Table {@code ibex.copy_progress}: how far the copy of each table to each target has come. */
public final class CopyProgressLog {

    private final Connection c;

    CopyProgressLog(Connection c) {
        this.c = c;
    }

    /** Records how far the copy of one table has come; started anew when a copy starts (finished null, 0 rows). */
    public void copyProgress(String sync, String target, String table, long copied, long estimated, boolean finished) {
        copyProgress(sync, target, table, copied, estimated, 0, 0, finished);
    }

    /** The same with the bytes copied (COPY text) and estimated (the source table's size). */
    public void copyProgress(String sync, String target, String table, long copied, long estimated, long bytes, long bytesEstimated,
                             boolean finished) {
        call(() -> {
            String end = finished ? "clock_timestamp()" : "NULL";
            if (Pg.update(c, "UPDATE ibex.copy_progress SET rows_copied = ?, rows_estimated = ?, bytes_copied = ?, bytes_estimated = ?, "
                    + "finished = " + end + (copied == 0 && !finished ? ", started = clock_timestamp()" : "")
                    + " WHERE sync = ? AND target = ? AND tablename = ?", copied, estimated, bytes, bytesEstimated, sync, target, table) == 0) {
                Pg.update(c, "INSERT INTO ibex.copy_progress (sync, target, tablename, rows_copied, rows_estimated, bytes_copied, "
                        + "bytes_estimated, finished) VALUES (?, ?, ?, ?, ?, ?, ?, " + end + ")", sync, target, table, copied, estimated,
                        bytes, bytesEstimated);
            }
            return null;
        });
    }

    public List<CopyProgress> copyProgress(String sync) {
        return call(() -> Pg.query(c, "SELECT sync, target, tablename, rows_copied, rows_estimated, started, finished, bytes_copied, "
                        + "bytes_estimated, clock_timestamp() FROM ibex.copy_progress WHERE sync = ? ORDER BY target, started, tablename",
                rs -> new CopyProgress(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                        rs.getObject(6, OffsetDateTime.class), rs.getObject(7, OffsetDateTime.class), rs.getLong(8), rs.getLong(9),
                        rs.getObject(10, OffsetDateTime.class)), sync));
    }
}
