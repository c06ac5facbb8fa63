package io.ibex.apply;

import io.ibex.IbexException;
import io.ibex.capture.KeyRange;
import io.ibex.capture.SourceCatalog;
import io.ibex.capture.TableInfo;
import io.ibex.db.Pg;
import io.ibex.db.Sql;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A PostgreSQL target: changed keys are copied into a temporary table and deleted with one DELETE ... USING,
 * then the source rows are streamed in with COPY. Set-based both ways, in one transaction per batch.
 */
public class PostgresTarget implements Target {

    private final String name;
    private final Connection c;
    private final ReplicaMode replicaMode;
    private final CopyManager copy;
    private int tempCounter;

    public PostgresTarget(String name, Connection c, ReplicaMode replicaMode) {
        this.name = name;
        this.c = c;
        this.replicaMode = replicaMode;
        try {
            this.copy = c.unwrap(PGConnection.class).getCopyAPI();
            c.setAutoCommit(false);
            Pg.useStableTextFormat(c);
            c.commit();
        } catch (SQLException e) {
            throw fail("cannot prepare the session", e);
        }
    }

    public String name() {
        return name;
    }

    public Connection connection() {
        return c;
    }

    public ReplicaMode replicaMode() {
        return replicaMode;
    }

    @Override
    public void begin() {
        try {
            replicaMode.apply(c);
            if (replicaMode == ReplicaMode.NONE) {
                // the foreign keys declared DEFERRABLE wait for the commit: a batch may then write in any order
                Pg.exec(c, "SET CONSTRAINTS ALL DEFERRED");
            }
        } catch (SQLException e) {
            throw fail("cannot hold off triggers and foreign keys", e);
        }
    }

    @Override
    public void checkTable(TableInfo source) {
        try {
            List<TableInfo.Column> cols = SourceCatalog.columns(c, source.schema(), source.name());
            if (cols.isEmpty()) {
                throw new IbexException("database \"" + name + "\" has no table " + source.qualifiedName());
            }
            Set<String> have = new HashSet<>();
            cols.forEach(col -> have.add(col.name()));
            List<String> missing = new ArrayList<>();
            for (String col : source.columnNames()) {
                if (!have.contains(col)) {
                    missing.add(col);
                }
            }
            if (!missing.isEmpty()) {
                throw new IbexException("table " + source.qualifiedName() + " on database \"" + name
                        + "\" lacks column(s) " + String.join(", ", missing));
            }
            c.commit();
        } catch (SQLException e) {
            throw fail("cannot read table " + source.qualifiedName(), e);
        }
    }

    @Override
    public void truncate(TableInfo t) {
        String table = Sql.qualified(t.schema(), t.name());
        try {
            Pg.exec(c, "SAVEPOINT ibex_truncate");
            try {
                Pg.exec(c, "TRUNCATE ONLY " + table);
            } catch (SQLException e) {
                // referenced by a foreign key, or no TRUNCATE privilege: DELETE does the same job
                Pg.exec(c, "ROLLBACK TO SAVEPOINT ibex_truncate");
                Pg.exec(c, "DELETE FROM ONLY " + table);
            }
            Pg.exec(c, "RELEASE SAVEPOINT ibex_truncate");
        } catch (SQLException e) {
            throw fail("cannot empty " + t.qualifiedName(), e);
        }
    }

    @Override
    public void empty(TableInfo t, String deletemethod) {
        String table = Sql.qualified(t.schema(), t.name());
        try {
            switch (deletemethod == null ? "delete" : deletemethod) {
                case "truncate" -> truncate(t);
                case "truncate_cascade" -> Pg.exec(c, "TRUNCATE ONLY " + table + " CASCADE");
                default -> Pg.exec(c, "DELETE FROM ONLY " + table);
            }
        } catch (SQLException e) {
            throw fail("cannot empty " + t.qualifiedName(), e);
        }
    }

    /**
     * Full copy as pg_restore loads a table: when the table is emptied by TRUNCATE or is empty already, the role owns
     * it and no foreign key references it, its indexes (and the primary key, unique and exclusion constraints they
     * back) are dropped here, after an ACCESS EXCLUSIVE lock, and built again by finishCopy after the rows, all in
     * the copy's transaction (see CopyIndexes for which indexes qualify). Otherwise the table keeps its indexes.
     */
    @Override
    public CopyPath emptyForCopy(TableInfo t, String deletemethod) {
        boolean truncating = "truncate".equals(deletemethod) || "truncate_cascade".equals(deletemethod);
        String table = Sql.qualified(t.schema(), t.name());
        try {
            String kept = CopyIndexes.failedBefore(name, table);
            if (kept == null) {
                kept = CopyIndexes.tableKept(c, t);
            }
            if (kept == null && !truncating && Pg.exists(c, "SELECT 1 FROM ONLY " + table + " LIMIT 1")) {
                kept = "the table has rows, and deletemethod is delete (readers keep them until the commit)";
            }
            if (kept == null && !CopyIndexes.lock(c, t, truncating)) {
                kept = "the table's exclusive lock was not granted" + (truncating ? "" : " within " + CopyIndexes.LOCK_TIMEOUT);
            }
            if (kept == null) {
                kept = CopyIndexes.tableKept(c, t); // again, under the lock
            }
            empty(t, deletemethod);
            if (kept != null) {
                return CopyPath.keptAll("indexes kept: " + kept);
            }
            List<CopyIndexes.Found> found = CopyIndexes.read(c, t);
            List<CopyIndexes.Index> rebuild = new ArrayList<>();
            List<String> keptIndexes = new ArrayList<>();
            Pg.exec(c, "SAVEPOINT ibex_copy_drop");
            for (CopyIndexes.Found f : found) {
                if (f.rebuild() == null) {
                    keptIndexes.add(f.keptWhy());
                    continue;
                }
                try {
                    Pg.exec(c, f.drop());
                } catch (SQLException e) { // something the catalog checks did not foresee: the old path
                    Pg.exec(c, "ROLLBACK TO SAVEPOINT ibex_copy_drop");
                    Pg.exec(c, "RELEASE SAVEPOINT ibex_copy_drop");
                    return CopyPath.keptAll("indexes kept: cannot drop " + f.rebuild().name() + ": " + Pg.firstLine(e));
                }
                rebuild.add(f.rebuild());
            }
            Pg.exec(c, "RELEASE SAVEPOINT ibex_copy_drop");
            if (rebuild.isEmpty()) {
                return CopyPath.keptAll(found.isEmpty() ? "no indexes" : "indexes kept: " + String.join("; ", keptIndexes));
            }
            setAside.put(table, rebuild);
            return new CopyPath(rebuild.size(), keptIndexes.size(), rebuild.size() + " index(es) dropped before the rows"
                    + (keptIndexes.isEmpty() ? "" : "; kept " + String.join("; ", keptIndexes)));
        } catch (SQLException e) {
            throw fail("cannot prepare the copy of " + t.qualifiedName(), e);
        }
    }

    @Override
    public String finishCopy(TableInfo t) {
        return rebuild(Sql.qualified(t.schema(), t.name()));
    }

    /** Builds again the indexes emptyForCopy dropped; "" if there are none. */
    private String rebuild(String table) {
        List<CopyIndexes.Index> indexes = setAside.remove(table);
        if (indexes == null) {
            return "";
        }
        long started = System.nanoTime();
        String current = null;
        try {
            // every index set aside was in the database's default tablespace (pg_get_indexdef names none)
            Pg.queryString(c, "SELECT set_config('default_tablespace', '', true)");
            for (CopyIndexes.Index index : indexes) {
                current = index.name();
                for (String sql : index.create()) {
                    Pg.exec(c, sql);
                }
            }
        } catch (SQLException e) {
            // the copy's transaction is lost, and the copy is repeated: then with the indexes kept, unless the data
            // (a duplicate key, which the old path refuses too) or the connection failed rather than the definition
            CopyIndexes.failed(name, table, current + ": " + Pg.firstLine(e), Pg.sqlState(e));
            throw fail("cannot build " + (current == null ? "the indexes" : "index " + current) + " of " + table + " again after the copy", e);
        }
        return indexes.size() + " index(es) built after the rows in " + (System.nanoTime() - started) / 1_000_000 + " ms";
    }

    /** Indexes dropped for a full copy and not yet built again, by table: commit builds them if finishCopy did not. */
    private final java.util.Map<String, List<CopyIndexes.Index>> setAside = new java.util.LinkedHashMap<>();

    @Override
    public boolean hasRows(TableInfo t) {
        try {
            boolean rows = Pg.exists(c, "SELECT 1 FROM ONLY " + Sql.qualified(t.schema(), t.name()) + " LIMIT 1");
            c.commit();
            return rows;
        } catch (SQLException e) {
            throw fail("cannot read " + t.qualifiedName(), e);
        }
    }

    @Override
    public void reindex(TableInfo t) {
        outsideTransaction("REINDEX TABLE " + Sql.qualified(t.schema(), t.name()),
                "cannot rebuild the indexes of " + t.qualifiedName() + " (REINDEX needs the table's owner)");
    }

    @Override
    public void analyze(TableInfo t) {
        try {
            Pg.exec(c, "ANALYZE " + Sql.qualified(t.schema(), t.name()));
        } catch (SQLException e) {
            throw fail("cannot analyze " + t.qualifiedName(), e);
        }
    }

    private void outsideTransaction(String sql, String failure) {
        try {
            c.setAutoCommit(true);
            Pg.exec(c, sql);
            c.setAutoCommit(false);
        } catch (SQLException e) {
            throw fail(failure, e);
        }
    }

    @Override
    public long deleteKeys(TableInfo t, InputStream keys, KeyRange range) {
        try {
            String temp = keyTable(t);
            fill(temp, keys);
            try (var s = c.createStatement()) {
                return s.executeUpdate("DELETE FROM ONLY " + Sql.qualified(t.schema(), t.name()) + " t USING " + temp + " k WHERE "
                        + keysMatch(t, "t", "k") + (range == null ? "" : " AND " + range.predicate("t", t)));
            }
        } catch (SQLException | IOException e) {
            throw fail("cannot delete changed rows of " + t.qualifiedName(), e);
        }
    }

    /** Copies a stream into a temporary table of this session, emptied first if this transaction filled it already. */
    long fill(String temp, InputStream in) throws SQLException, IOException {
        if (!filledInThisTransaction.add(temp)) {
            Pg.exec(c, "DELETE FROM " + temp); // keys of an earlier call in this transaction (another source's)
        }
        long n = copy.copyIn("COPY " + temp + " FROM STDIN", in);
        if (n > 10_000) {
            Pg.exec(c, "ANALYZE " + temp); // a temporary table has no statistics; without them big joins go wrong
            Pg.exec(c, "SET LOCAL work_mem = '64MB'"); // and the join's hash table in memory
        }
        return n;
    }

    static String keysMatch(TableInfo t, String left, String right) {
        List<String> match = new ArrayList<>();
        for (String key : t.keyColumns()) {
            String k = Sql.ident(key);
            match.add(left + "." + k + " = " + right + "." + k);
        }
        return String.join(" AND ", match);
    }

    /**
     * The rows of the changed keys updated in place where the table's only unique constraint is its key: an UPDATE
     * of the rows that are there (which PostgreSQL can keep on their page, with no new index entry, where a DELETE
     * and an INSERT leave a dead row and a new index entry each: a small table changed all the time bloated to
     * hundreds of pages on the target and made every batch scan them), a DELETE of the keys without a row, an INSERT
     * of the rows that are new; the last two only when the counts say there are such keys. With any other unique
     * or exclusion constraint an UPDATE could collide with a row changed later in the same batch (two rows swapping a
     * unique value), so such a table, and any other kind of relation, gets the DELETE and the INSERT as before.
     */
    @Override
    public long[] replaceRows(TableInfo t, InputStream keys, Rows rows) throws IOException, SQLException {
        List<String> set;
        try {
            set = updatableColumns(t);
        } catch (SQLException e) {
            throw fail("cannot read the unique constraints of " + t.qualifiedName(), e);
        }
        if (set == null) {
            return Target.super.replaceRows(t, keys, rows);
        }
        String table = Sql.qualified(t.schema(), t.name());
        String rowTemp;
        String keyTemp;
        long nKeys;
        try {
            keyTemp = keyTable(t);
            nKeys = fill(keyTemp, keys);
            rowTemp = rowTable(t);
        } catch (SQLException | IOException e) {
            throw fail("cannot apply the changed rows of " + t.qualifiedName(), e);
        }
        InputStream in = rows.open(); // a source that cannot start its read fails as the source, not as this target
        try (in) {
            long nRows = fill(rowTemp, in);
            long updated = 0;
            long deleted = 0;
            long inserted = 0;
            try (var s = c.createStatement()) {
                if (!set.isEmpty() && nRows > 0) {
                    List<String> assign = new ArrayList<>();
                    for (String col : set) {
                        assign.add(Sql.ident(col) + " = r." + Sql.ident(col));
                    }
                    updated = s.executeUpdate("UPDATE ONLY " + table + " t SET " + String.join(", ", assign) + " FROM " + rowTemp + " r WHERE "
                            + keysMatch(t, "t", "r"));
                }
                if (nRows < nKeys) {
                    deleted = s.executeUpdate("DELETE FROM ONLY " + table + " t USING " + keyTemp + " k WHERE " + keysMatch(t, "t", "k")
                            + " AND NOT EXISTS (SELECT 1 FROM " + rowTemp + " r WHERE " + keysMatch(t, "r", "k") + ")");
                }
                if (updated < nRows) {
                    inserted = s.executeUpdate("INSERT INTO " + table + " (" + Sql.idents(t.columnNames()) + ") SELECT "
                            + Sql.idents("r.", t.columnNames()) + " FROM " + rowTemp + " r WHERE NOT EXISTS (SELECT 1 FROM ONLY " + table
                            + " t WHERE " + keysMatch(t, "t", "r") + ")");
                }
            }
            return new long[] {updated + deleted, updated + inserted};
        } catch (SQLException | IOException e) {
            throw fail("cannot apply the changed rows of " + t.qualifiedName(), e);
        }
    }

    /**
     * For a plain table whose only unique or exclusion constraint is a unique index on exactly the key columns, and
     * that this role may UPDATE: the columns an UPDATE sets (those sent that are not key columns); otherwise null.
     * Looked up once per session.
     */
    List<String> updatableColumns(TableInfo t) throws SQLException {
        if (updatable.containsKey(t.qualifiedName())) {
            return updatable.get(t.qualifiedName());
        }
        String rel = Sql.literal(Sql.qualified(t.schema(), t.name())) + "::regclass";
        List<java.util.Set<String>> unique = Pg.query(c, "SELECT i.indisunique AND NOT i.indisexclusion AND i.indpred IS NULL AND i.indexprs IS NULL, "
                + "ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)) "
                + "FROM pg_index i WHERE i.indrelid = " + rel + " AND (i.indisunique OR i.indisexclusion) "
                + "AND (SELECT relkind FROM pg_class WHERE oid = " + rel + ") = 'r'",
                rs -> rs.getBoolean(1) ? java.util.Set.of((String[]) rs.getArray(2).getArray()) : java.util.Set.of());
        List<String> set = null;
        // UPDATE is not among the privileges a target role needs (README): without it, the DELETE and the INSERT
        if (unique.size() == 1 && unique.get(0).equals(java.util.Set.copyOf(t.keyColumns()))
                && Pg.exists(c, "SELECT 1 WHERE has_table_privilege(" + rel + ", 'UPDATE')")) {
            set = t.columnNames().stream().filter(col -> !t.keyColumns().contains(col)).toList();
        }
        updatable.put(t.qualifiedName(), set);
        return set;
    }

    private final java.util.Map<String, List<String>> updatable = new java.util.HashMap<>();

    /** The columns an UPDATE of the table sets (every column sent but the key), or null if this role may not UPDATE it. */
    List<String> columnsToSet(TableInfo t) throws SQLException {
        String rel = Sql.literal(Sql.qualified(t.schema(), t.name())) + "::regclass";
        if (!Pg.exists(c, "SELECT 1 WHERE has_table_privilege(" + rel + ", 'UPDATE')")) {
            return null;
        }
        return t.columnNames().stream().filter(col -> !t.keyColumns().contains(col)).toList();
    }

    /** With replica_mode=none and foreign keys among the tables: written in their order (see OrderedApply). */
    @Override
    public List<long[]> replaceAll(List<Change> changes) throws IOException, SQLException {
        ForeignKeyOrder order = foreignKeyOrder(changes.stream().map(Change::table).toList());
        if (!order.matters()) {
            return Target.super.replaceAll(changes);
        }
        return new OrderedApply(this, order).apply(changes);
    }

    @Override
    public ForeignKeyOrder foreignKeyOrder(List<TableInfo> tables) {
        if (replicaMode != ReplicaMode.NONE) {
            return ForeignKeyOrder.none();
        }
        String key = tables.stream().map(TableInfo::qualifiedName).sorted().reduce("", (a, b) -> a + "\u0000" + b);
        ForeignKeyOrder order = orders.get(key);
        if (order == null) {
            try {
                order = ForeignKeyOrder.read(c, name, tables);
                c.commit();
            } catch (SQLException e) {
                throw fail("cannot read the foreign keys of the replicated tables", e);
            }
            if (orders.size() > 100) {
                orders.clear();
            }
            orders.put(key, order);
        }
        return order;
    }

    /** The foreign-key orders read in this session, by the set of tables (the target's DDL is read again on a new session). */
    private final java.util.Map<String, ForeignKeyOrder> orders = new java.util.HashMap<>();

    @Override
    public long deleteRange(TableInfo t, KeyRange range) {
        try (var s = c.createStatement()) {
            return s.executeUpdate("DELETE FROM ONLY " + Sql.qualified(t.schema(), t.name()) + " t WHERE " + range.predicate("t", t));
        } catch (SQLException e) {
            throw fail("cannot delete changed rows of " + t.qualifiedName(), e);
        }
    }

    /**
     * The temporary table that takes a table's changed keys: created once per session (ON COMMIT DELETE ROWS
     * empties it at each commit), because creating one per batch costs more than the batch itself.
     */
    String keyTable(TableInfo t) throws SQLException {
        String existing = tempTables.get(t.qualifiedName());
        if (existing != null) {
            return existing;
        }
        String temp = "ibex_keys_" + (++tempCounter);
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < t.keyColumns().size(); i++) {
            cols.add(Sql.ident(t.keyColumns().get(i)) + " " + t.keyTypes().get(i));
        }
        Pg.exec(c, "CREATE TEMPORARY TABLE " + temp + " (" + String.join(", ", cols) + ") ON COMMIT DELETE ROWS");
        tempTables.put(t.qualifiedName(), temp);
        createdInThisTransaction.add(t.qualifiedName());
        return temp;
    }

    /** The temporary table that takes a table's changed rows for replaceRows, with the target's column types; like keyTable. */
    String rowTable(TableInfo t) throws SQLException {
        String name = "\u0000rows\u0000" + t.qualifiedName();
        String existing = tempTables.get(name);
        if (existing != null) {
            return existing;
        }
        java.util.Map<String, String> types = new java.util.HashMap<>();
        SourceCatalog.columns(c, t.schema(), t.name()).forEach(col -> types.put(col.name(), col.type()));
        List<String> cols = new ArrayList<>();
        for (String col : t.columnNames()) {
            cols.add(Sql.ident(col) + " " + types.get(col));
        }
        String temp = "ibex_rows_" + (++tempCounter);
        Pg.exec(c, "CREATE TEMPORARY TABLE " + temp + " (" + String.join(", ", cols) + ") ON COMMIT DELETE ROWS");
        tempTables.put(name, temp);
        createdInThisTransaction.add(name);
        return temp;
    }

    /** Temporary tables by what they hold: a table's keys (by its name) or its rows (by its name after "\0rows\0"). */
    private final java.util.Map<String, String> tempTables = new java.util.HashMap<>();
    private final java.util.Set<String> createdInThisTransaction = new java.util.HashSet<>();
    /** Key tables that hold keys until the commit (ON COMMIT DELETE ROWS) empties them. */
    private final java.util.Set<String> filledInThisTransaction = new java.util.HashSet<>();

    @Override
    public long insertRows(TableInfo t, InputStream rows) {
        try {
            return copy.copyIn("COPY " + Sql.qualified(t.schema(), t.name()) + " (" + Sql.idents(t.columnNames()) + ") FROM STDIN", rows);
        } catch (SQLException | IOException e) {
            throw fail("cannot copy rows into " + t.qualifiedName(), e);
        }
    }

    @Override
    public boolean setSequence(String schema, String seqName, long lastValue, boolean isCalled, SequenceSettings settings) {
        String seq = Sql.qualified(schema, seqName);
        try {
            SequenceSettings wanted = settings.fittedTo(c, schema, seqName);
            boolean sameSettings = wanted.equals(SequenceSettings.read(c, schema, seqName));
            boolean same = sameSettings && Pg.exists(c, "SELECT 1 FROM " + seq + " WHERE last_value = " + lastValue + " AND is_called = " + isCalled);
            if (!sameSettings) {
                Pg.exec(c, wanted.alter(schema, seqName, lastValue));
            }
            if (!same) {
                Pg.queryString(c, "SELECT setval(" + Sql.literal(seq) + ", " + lastValue + ", " + isCalled + ")");
            }
            c.commit();
            return !same;
        } catch (SQLException e) {
            throw fail("cannot set sequence " + schema + "." + seqName, e);
        }
    }

    @Override
    public void commit() {
        for (String table : List.copyOf(setAside.keySet())) {
            rebuild(table); // never commit a table without the indexes it had
        }
        try {
            c.commit();
            createdInThisTransaction.clear();
            filledInThisTransaction.clear();
        } catch (SQLException e) {
            throw fail("commit failed", e);
        }
    }

    @Override
    public void rollback() {
        Pg.rollbackQuietly(c);
        setAside.clear(); // the drops were rolled back
        createdInThisTransaction.forEach(tempTables::remove); // their creation was rolled back too
        createdInThisTransaction.clear();
        filledInThisTransaction.clear();
    }

    @Override
    public void close() {
        rollback();
        Pg.closeQuietly(c);
    }

    IbexException fail(String what, Exception e) {
        return new ApplyException("database \"" + name + "\": " + what + ": " + Pg.withDetail(e), Pg.sqlState(e), e);
    }
}
