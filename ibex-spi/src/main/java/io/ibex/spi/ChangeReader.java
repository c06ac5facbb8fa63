package io.ibex.spi;

import io.ibex.model.KeyRange;
import io.ibex.model.TableInfo;

import java.io.InputStream;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One consistent read of a source: its {@link #position()} and the rows read are the same moment. Changes are
 * read by window (from a consumer's position to this read's); rows leave as COPY text streams, nothing is held
 * in memory. Closing ends the read.
 */
public interface ChangeReader extends AutoCloseable {

    /** The position of this read: where a consumer stands once it has applied what this read returned. */
    Position position();

    /** An id under which other reads can share this read's moment ({@link ChangeSource#readShared}); null if it cannot be shared. */
    String share() throws SQLException;

    /** The planner's estimate of a table's rows (for progress), at least 0. */
    long estimatedRows(TableInfo t) throws SQLException;

    /** The table's size on the source in bytes, for a copy's progress (an estimate of what the copy moves); 0 if unknown. */
    default long estimatedBytes(TableInfo t) throws SQLException {
        return 0;
    }

    /**
     * The lowest and highest value of a table's single integer key in this read, for a copy in key ranges; null if
     * the table is empty or its key is not one integer column, or the capture cannot tell.
     */
    default long[] integerKeyBounds(TableInfo t) throws SQLException {
        return null;
    }

    /**
     * How many blocks the table has, for a copy in block ranges ({@link #rowsInBlocks}); -1 if this source cannot read
     * a range of blocks by itself (PostgreSQL before 14 has no TID range scan).
     */
    default long blocks(TableInfo t) throws SQLException {
        return -1;
    }

    /**
     * The rows of this read stored in the table's blocks from lo up to, not including, hi (COPY text). The engine asks
     * only a source whose {@link #blocks} is positive, so a source without block ranges never gets here.
     */
    default InputStream rowsInBlocks(TableInfo t, long lo, long hi) throws SQLException {
        throw new UnsupportedOperationException("no block ranges on this source");
    }

    boolean hasChanges(TableInfo t, ChangeWindow w) throws SQLException;

    /**
     * How many change rows each table (of those given) has in the window, counted up to limit, with one query;
     * tables without changes are left out (limit 1: which tables changed).
     */
    Map<TableInfo, Long> changeCounts(List<TableInfo> tables, ChangeWindow w, long limit) throws SQLException;

    /** The tables (schema.name) truncated in the window. */
    Set<String> truncatedTables(ChangeWindow w) throws SQLException;

    /** When the table was last truncated in the window (microseconds since the epoch), or null if it was not. */
    Long lastTruncate(TableInfo t, ChangeWindow w) throws SQLException;

    /** The distinct keys changed in the window, as COPY text. */
    InputStream keys(TableInfo t, ChangeWindow w) throws SQLException;

    /** The current rows of the keys changed in the window; a key deleted on the source has no row. */
    InputStream rows(TableInfo t, ChangeWindow w) throws SQLException;

    /** The distinct keys changed in the window in key order, as COPY text (for slicing a big backlog). */
    InputStream sortedKeys(TableInfo t, ChangeWindow w) throws SQLException;

    /** The distinct keys changed in the window, each with the time of its newest change (microseconds since the epoch) last. */
    InputStream keysWithChangeTime(TableInfo t, ChangeWindow w) throws SQLException;

    /** The current rows of the given keys (COPY text). */
    InputStream rowsOf(TableInfo t, InputStream keys) throws SQLException;

    /** Like {@link #rowsOf(TableInfo, InputStream)}, for many keys, within a range of keys (null: none). */
    InputStream rowsOf(TableInfo t, InputStream keys, KeyRange range) throws SQLException;

    /** The current rows whose keys lie in the range (COPY text). */
    InputStream rowsIn(TableInfo t, KeyRange range) throws SQLException;

    /** Every row of a table, for a full copy. */
    InputStream allRows(TableInfo t) throws SQLException;

    /**
     * The columns each table has in this read's moment (its snapshot), with one query; a table missing from the map
     * is gone (dropped or renamed). What the schema gate compares with the target before each apply.
     */
    Map<String, List<io.ibex.model.ColumnDef>> columns(List<TableInfo> tables) throws SQLException;

    /** Whether the transaction that left this point ({@link ChangeSource#runDdl}) had committed at this read's moment. */
    boolean passed(String point);

    /** Ends the read. */
    @Override
    void close();

    /** Ends the read and makes the source durable up to now: this read's position may then be saved. */
    void closeDurably() throws SQLException;
}
