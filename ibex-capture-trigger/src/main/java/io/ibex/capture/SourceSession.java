package io.ibex.capture;

import io.ibex.model.KeyRange;
import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.spi.ChangeReader;
import io.ibex.spi.ChangeWindow;
import io.ibex.spi.Position;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The trigger capture's read of a source: a REPEATABLE READ transaction whose first statement takes the snapshot,
 * so the rows read and the snapshot recorded as the new position are the same moment. Rows leave as COPY text
 * streams; nothing is held in memory.
 */
public final class SourceSession implements ChangeReader {

    private final Connection c;
    private final TxidSnapshotPosition position;

    private SourceSession(Connection c, TxidSnapshotPosition position) {
        this.c = c;
        this.position = position;
    }

    public static SourceSession begin(Connection c) throws SQLException {
        c.setAutoCommit(false);
        // REPEATABLE READ (SERIALIZABLE before 9.1, which meant the same) fixes the snapshot at the first statement
        String level = Pg.serverVersion(c) >= 90100 ? "REPEATABLE READ" : "SERIALIZABLE";
        Pg.exec(c, "SET TRANSACTION ISOLATION LEVEL " + level);
        return new SourceSession(c, currentSnapshot(c));
    }

    /**
     * A read that shares another session's snapshot (exported with {@link #share()}), so that tables can
     * be copied in parallel from one consistent moment (PostgreSQL 9.2 and later).
     */
    public static SourceSession beginAt(Connection c, String snapshotId, Position snapshot) throws SQLException {
        c.setAutoCommit(false);
        Pg.exec(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        Pg.exec(c, "SET TRANSACTION SNAPSHOT " + Sql.literal(snapshotId));
        return new SourceSession(c, TxidSnapshotPosition.of(snapshot));
    }

    /** Exports this read's snapshot for {@link #beginAt}; null before 9.2, where it cannot be shared. */
    @Override
    public String share() throws SQLException {
        return Pg.serverVersion(c) >= 90200 ? Pg.queryString(c, "SELECT pg_export_snapshot()") : null;
    }

    /** The planner's estimate of a table's rows (for progress), at least 0. */
    @Override
    public long estimatedRows(TableInfo t) throws SQLException {
        return Math.max(0, Pg.queryLong(c, "SELECT reltuples::bigint FROM pg_class WHERE oid = "
                + Sql.literal(Sql.qualified(t.schema(), t.name())) + "::regclass"));
    }

    @Override
    public long estimatedBytes(TableInfo t) throws SQLException {
        return Math.max(0, Pg.queryLong(c, "SELECT pg_relation_size(" + Sql.literal(Sql.qualified(t.schema(), t.name())) + "::regclass)"));
    }

    @Override
    public long[] integerKeyBounds(TableInfo t) throws SQLException {
        if (t.keyColumns().size() != 1 || !java.util.Set.of("smallint", "integer", "bigint").contains(t.keyTypes().get(0))) {
            return null;
        }
        String k = Sql.ident(t.keyColumns().get(0));
        List<long[]> b = Pg.query(c, "SELECT min(" + k + ")::bigint, max(" + k + ")::bigint FROM " + Sql.qualified(t.schema(), t.name()),
                rs -> rs.getObject(1) == null ? null : new long[] {rs.getLong(1), rs.getLong(2)});
        return b.get(0);
    }

    @Override
    public long blocks(TableInfo t) throws SQLException {
        if (Pg.serverVersion(c) < 140000) {
            return -1;
        }
        // the size now: rows of this read's snapshot lie in blocks that existed when it was taken
        return Pg.queryLong(c, "SELECT pg_relation_size(" + Sql.literal(Sql.qualified(t.schema(), t.name()))
                + "::regclass) / current_setting('block_size')::bigint");
    }

    /** A TID range scan (PostgreSQL 14+): the blocks are read in order, as a sequential scan reads them. */
    @Override
    public InputStream rowsInBlocks(TableInfo t, long lo, long hi) throws SQLException {
        return copyOut("SELECT " + selectList(t, "t.") + " FROM ONLY " + Sql.qualified(t.schema(), t.name()) + " t WHERE t.ctid >= '("
                + lo + ",0)'::tid AND t.ctid < '(" + hi + ",0)'::tid");
    }

    /** The snapshot of a source right now, outside any batch (for the first position of a new consumer). */
    static TxidSnapshotPosition currentSnapshot(Connection c) throws SQLException {
        return new TxidSnapshotPosition(Pg.queryString(c, "SELECT txid_current_snapshot()::text"));
    }

    @Override
    public TxidSnapshotPosition position() {
        return position;
    }

    @Override
    public Map<String, List<io.ibex.model.ColumnDef>> columns(List<TableInfo> tables) throws SQLException {
        return SourceColumns.read(c, tables);
    }

    /** A point is a txid: it has passed when it is visible in this read's snapshot. */
    @Override
    public boolean passed(String point) {
        try {
            return Pg.exists(c, "SELECT 1 WHERE txid_visible_in_snapshot(" + Long.parseLong(point) + ", " + position.literal() + ")");
        } catch (SQLException e) {
            throw new io.ibex.IbexException("cannot test a schema change's point: " + Pg.firstLine(e), e);
        }
    }

    @Override
    public boolean hasChanges(TableInfo t, ChangeWindow w) throws SQLException {
        return Pg.exists(c, changeRows(t).exists(inWindow(w)));
    }

    /** The condition on a change row of being in the window. */
    private static String inWindow(ChangeWindow w) {
        return TxidWindow.predicate(w, "ibex_txid", "ibex_origin");
    }

    private final Map<String, ChangeRows> changeRows = new HashMap<>();

    /** The change rows of a table, looked up once per read (after the snapshot). */
    private ChangeRows changeRows(TableInfo t) throws SQLException {
        ChangeRows r = changeRows.get(t.qualifiedName());
        if (r == null) {
            r = ChangeRows.of(c, t.schema(), t.name());
            changeRows.put(t.qualifiedName(), r);
        }
        return r;
    }

    /**
     * How many change rows each table (of those given) has in the window, counted up to limit, with one query;
     * tables without changes are left out (limit 1: which tables changed).
     */
    @Override
    public Map<TableInfo, Long> changeCounts(List<TableInfo> tables, ChangeWindow w, long limit) throws SQLException {
        Map<TableInfo, Long> out = new LinkedHashMap<>();
        if (tables.isEmpty()) {
            return out;
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < tables.size(); i++) {
            TableInfo t = tables.get(i);
            parts.add("SELECT " + i + ", ibex_c.* FROM (" + changeRows(t).counts(inWindow(w), limit) + ") ibex_c");
        }
        try (var st = c.createStatement(); var rs = st.executeQuery(String.join(" UNION ALL ", parts))) {
            while (rs.next()) {
                TableInfo t = tables.get(rs.getInt(1));
                long keys = rs.getLong(2);
                if (keys > 0) {
                    out.put(t, keys);
                }
                if (rs.getLong(3) == 0 && (limit <= 0 || keys < limit)) { // every row counted, none of them bulk
                    withoutBulkRows.put(t.qualifiedName(), w);
                }
            }
        }
        return out;
    }

    /** Tables whose change rows in a window (the value) were all counted in this read and are none of them bulk rows. */
    private final Map<String, ChangeWindow> withoutBulkRows = new HashMap<>();

    /** The change rows of a table to read in a window: without the bulk part when this read knows there is none. */
    private ChangeRows changeRows(TableInfo t, ChangeWindow w) throws SQLException {
        ChangeRows r = changeRows(t);
        return withoutBulkRows.get(t.qualifiedName()) == w ? r.withoutBulkRows() : r;
    }

    /** The tables (schema.name) truncated in the window. */
    @Override
    public Set<String> truncatedTables(ChangeWindow w) throws SQLException {
        return new HashSet<>(Pg.query(c, "SELECT DISTINCT schemaname || '.' || relname FROM " + CaptureInstaller.SCHEMA
                + ".truncated WHERE " + TxidWindow.predicate(w, "txid", "origin"), rs -> rs.getString(1)));
    }

    /** When the table was last truncated in the window (microseconds since the epoch), or null if it was not. */
    @Override
    public Long lastTruncate(TableInfo t, ChangeWindow w) throws SQLException {
        String v = Pg.queryString(c, "SELECT (extract(epoch FROM max(changed_at)) * 1000000)::bigint::text FROM " + CaptureInstaller.SCHEMA
                + ".truncated WHERE schemaname = ? AND relname = ? AND " + TxidWindow.predicate(w, "txid", "origin"), t.schema(), t.name());
        return v == null ? null : Long.parseLong(v);
    }

    /** The query of the distinct keys changed in the window. */
    public String changedKeys(TableInfo t, ChangeWindow w) throws SQLException {
        return "SELECT DISTINCT " + Sql.idents(t.keyColumns()) + " FROM " + changeRows(t, w).relation(t.keyColumns(), inWindow(w));
    }

    /** The distinct keys changed in the window, as COPY text. */
    @Override
    public InputStream keys(TableInfo t, ChangeWindow w) throws SQLException {
        return copyOut(changedKeys(t, w));
    }

    /** The current rows of the keys changed in the window; a key deleted on the source has no row. */
    @Override
    public InputStream rows(TableInfo t, ChangeWindow w) throws SQLException {
        String keyTuple = t.keyColumns().size() == 1 ? Sql.ident(t.keyColumns().get(0)) : "(" + Sql.idents(t.keyColumns()) + ")";
        return copyOut("SELECT " + selectList(t, "") + " FROM ONLY " + Sql.qualified(t.schema(), t.name())
                + " WHERE " + keyTuple + " IN (" + changedKeys(t, w) + ")");
    }

    /** The distinct keys changed in the window in key order, as COPY text (for slicing a big backlog). */
    @Override
    public InputStream sortedKeys(TableInfo t, ChangeWindow w) throws SQLException {
        return copyOut(changedKeys(t, w) + " ORDER BY " + Sql.idents(t.keyColumns()));
    }

    /**
     * The distinct keys changed in the window, each with the time of its newest change (microseconds since the
     * epoch) as the last column, as COPY text: what conflict resolution between sources needs.
     */
    @Override
    public InputStream keysWithChangeTime(TableInfo t, ChangeWindow w) throws SQLException {
        String keys = Sql.idents(t.keyColumns());
        return copyOut("SELECT " + keys + ", (extract(epoch FROM max(ibex_changed)) * 1000000)::bigint FROM "
                + changeRows(t, w).relation(t.keyColumns(), inWindow(w)) + " GROUP BY " + keys);
    }

    private int tempCounter;

    /** The current rows of the given keys (COPY text), via a temporary table in this read's transaction. */
    @Override
    public InputStream rowsOf(TableInfo t, InputStream keys) throws SQLException {
        return rowsOf(t, keys, null);
    }

    /**
     * Like {@link #rowsOf(TableInfo, InputStream)}, for many keys: the temporary table is analyzed, so that the
     * planner joins it properly, and a range (of keys sorted on this server) lets it read the table through its key.
     */
    @Override
    public InputStream rowsOf(TableInfo t, InputStream keys, KeyRange range) throws SQLException {
        String temp = "ibex_push_" + (++tempCounter);
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < t.keyColumns().size(); i++) {
            cols.add(Sql.ident(t.keyColumns().get(i)) + " " + t.keyTypes().get(i));
        }
        Pg.exec(c, "CREATE TEMPORARY TABLE " + temp + " (" + String.join(", ", cols) + ") ON COMMIT DROP");
        long sent;
        try {
            sent = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + temp + " FROM STDIN", keys);
        } catch (IOException e) {
            throw new SQLException("cannot send keys: " + e.getMessage(), e);
        }
        if (sent > 10_000) {
            Pg.exec(c, "ANALYZE " + temp);
            Pg.exec(c, "SET LOCAL work_mem = '64MB'"); // the join's hash table in memory, not in batches on disk
        }
        String keyTuple = t.keyColumns().size() == 1 ? "t." + Sql.ident(t.keyColumns().get(0)) : "(" + Sql.idents("t.", t.keyColumns()) + ")";
        return copyOut("SELECT " + selectList(t, "t.") + " FROM ONLY " + Sql.qualified(t.schema(), t.name())
                + " t WHERE " + keyTuple + " IN (SELECT " + Sql.idents(t.keyColumns()) + " FROM " + temp + ")"
                + (range == null ? "" : " AND " + range.predicate("t", t)));
    }

    /** The current rows whose keys lie in the range (COPY text). */
    @Override
    public InputStream rowsIn(TableInfo t, KeyRange range) throws SQLException {
        return copyOut("SELECT " + selectList(t, "t.") + " FROM ONLY " + Sql.qualified(t.schema(), t.name())
                + " t WHERE " + range.predicate("t", t));
    }

    /** Every row of a table, for a full copy. */
    @Override
    public InputStream allRows(TableInfo t) throws SQLException {
        return copyOut("SELECT " + selectList(t, "") + " FROM ONLY " + Sql.qualified(t.schema(), t.name()));
    }

    /** The columns read from the table aliased by prefix: its own, or the custom columns a target gets. */
    private static String selectList(TableInfo t, String prefix) {
        return t.selectList() != null ? t.selectList() : Sql.idents(prefix, t.columnNames());
    }

    private final List<PGCopyInputStream> copies = new ArrayList<>();

    private InputStream copyOut(String select) throws SQLException {
        PGCopyInputStream in = new PGCopyInputStream(c.unwrap(PGConnection.class), "COPY (" + select + ") TO STDOUT");
        copies.add(in);
        return in;
    }

    /**
     * Ends the read; nothing was written, so this is a rollback. A COPY left unfinished (the target failed in the
     * middle of it) is cancelled first: the connection is busy with it, and a rollback would wait forever.
     */
    @Override
    public void close() {
        for (PGCopyInputStream in : copies) {
            if (in.isActive()) {
                try {
                    in.close();
                } catch (IOException e) {
                    Pg.closeQuietly(c);
                    return;
                }
            }
        }
        copies.clear();
        Pg.rollbackQuietly(c);
    }

    /** Ends the read, then makes the source durable up to now (see {@link #makeDurable}): its snapshot may be saved as a position. */
    @Override
    public void closeDurably() throws SQLException {
        close();
        makeDurable(c);
    }

    /**
     * Flushes the source's WAL up to now, so that a snapshot taken before may be saved as a position. A position
     * counts every txid below its xmax and not listed in progress as ended; but a transaction can end without its
     * record reaching the disk (an abort, an asynchronous commit, one that wrote nothing but took a txid, such as the
     * watcher's fence), and after a crash the source hands such txids out again. A change committed under a reused
     * txid would look older than the position and be skipped for good. A synchronous commit flushes every record
     * written before it, but only if its transaction wrote WAL itself (PostgreSQL commits a transaction that wrote
     * none, txid or not, without a flush): hence the update of one row of the capture's own table, kept as it was.
     * (local: a synchronous standby need not answer; 9.0 and older have neither such standbys nor the value.) On a
     * source with no capture installed (a sync of sequences only) nothing is written, and there are no changes to lose.
     */
    public static void makeDurable(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        Pg.exec(c, "SET LOCAL synchronous_commit TO " + (Pg.serverVersion(c) >= 90100 ? "local" : "on"));
        try {
            Pg.exec(c, "UPDATE " + CaptureInstaller.SCHEMA + ".captured SET installed = installed WHERE (schemaname, relname) IN "
                    + "(SELECT schemaname, relname FROM " + CaptureInstaller.SCHEMA + ".captured LIMIT 1)");
            c.commit();
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(); // no capture installed (a sequence-only sync): no change rows to lose
        }
        c.setAutoCommit(autoCommit);
    }
}
