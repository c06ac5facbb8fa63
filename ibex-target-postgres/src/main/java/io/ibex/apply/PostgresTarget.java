package io.ibex.apply;

import io.ibex.IbexException;
import io.ibex.model.KeyRange;
import io.ibex.catalog.SourceCatalog;
import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.spi.ApplyException;
import io.ibex.spi.CopyPath;
import io.ibex.spi.ForeignKeyOrder;
import io.ibex.spi.SequenceSettings;
import io.ibex.spi.Target;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A PostgreSQL target: changed keys are copied into a temporary table and deleted with one DELETE ... USING,
 * then the source rows are streamed in with COPY. Set-based both ways, in one transaction per batch. Created by
 * {@link PostgresTargetProvider}.
 */
public class PostgresTarget implements Target {

    private final String name;
    private final Connection c;
    private final ReplicaMode replicaMode;
    private final CopyManager copy;
    private final TempTables temps;
    private final CopyWithoutIndexes copyWithoutIndexes;
    private final UpdatableColumns updatable;
    /** OVERRIDING SYSTEM VALUE from PostgreSQL 10: the source's value goes into a GENERATED ALWAYS identity column too. */
    final String overriding;

    public PostgresTarget(String name, Connection c, ReplicaMode replicaMode) {
        this.name = name;
        this.c = c;
        this.replicaMode = replicaMode;
        try {
            this.copy = c.unwrap(PGConnection.class).getCopyAPI();
            c.setAutoCommit(false);
            Pg.useStableTextFormat(c);
            this.overriding = Pg.serverVersion(c) >= 100000 ? " OVERRIDING SYSTEM VALUE" : "";
            c.commit();
        } catch (SQLException e) {
            throw fail("cannot prepare the session", e);
        }
        this.temps = new TempTables(c, copy);
        this.copyWithoutIndexes = new CopyWithoutIndexes(this);
        this.updatable = new UpdatableColumns(c);
    }

    public String name() {
        return name;
    }

    public Connection connection() {
        return c;
    }

    @Override
    public Optional<Connection> session() {
        return Optional.of(c);
    }

    public ReplicaMode replicaMode() {
        return replicaMode;
    }

    @Override
    public Optional<String> describeReplicaMode() {
        return Optional.of(replicaMode.describe());
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
    public boolean hasRelation(String schema, String relation) {
        return TableCreation.has(this, schema, relation);
    }

    @Override
    public void runSchema(List<String> statements) {
        TableCreation.run(this, statements);
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
     * it and no foreign key references it, its indexes are dropped before the rows and built again after them, in
     * the copy's transaction (see CopyWithoutIndexes and CopyIndexes). Otherwise the table keeps its indexes.
     */
    @Override
    public CopyPath emptyForCopy(TableInfo t, String deletemethod) {
        return copyWithoutIndexes.emptyForCopy(t, deletemethod);
    }

    @Override
    public String finishCopy(TableInfo t) {
        return copyWithoutIndexes.rebuild(Sql.qualified(t.schema(), t.name()));
    }

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
        return temps.fill(temp, in);
    }

    String keyTable(TableInfo t) throws SQLException {
        return temps.keyTable(t);
    }

    String rowTable(TableInfo t) throws SQLException {
        return temps.rowTable(t);
    }

    /** The columns an UPDATE of the table sets (every column sent but the key), or null if this role may not UPDATE it. */
    List<String> columnsToSet(TableInfo t) throws SQLException {
        return updatable.columnsToSet(t);
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
            set = updatable.forInPlace(t);
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
                    inserted = s.executeUpdate("INSERT INTO " + table + " (" + Sql.idents(t.columnNames()) + ")" + overriding + " SELECT "
                            + Sql.idents("r.", t.columnNames()) + " FROM " + rowTemp + " r WHERE NOT EXISTS (SELECT 1 FROM ONLY " + table
                            + " t WHERE " + keysMatch(t, "t", "r") + ")");
                }
            }
            return new long[] {updated + deleted, updated + inserted};
        } catch (SQLException | IOException e) {
            throw fail("cannot apply the changed rows of " + t.qualifiedName(), e);
        }
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
                order = ForeignKeyCatalog.read(c, name, tables);
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
    private final Map<String, ForeignKeyOrder> orders = new HashMap<>();

    @Override
    public long deleteRange(TableInfo t, KeyRange range) {
        try (var s = c.createStatement()) {
            return s.executeUpdate("DELETE FROM ONLY " + Sql.qualified(t.schema(), t.name()) + " t WHERE " + range.predicate("t", t));
        } catch (SQLException e) {
            throw fail("cannot delete changed rows of " + t.qualifiedName(), e);
        }
    }

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
        try {
            return SequenceWriter.set(c, schema, seqName, lastValue, isCalled, settings);
        } catch (SQLException e) {
            throw fail("cannot set sequence " + schema + "." + seqName, e);
        }
    }

    @Override
    public List<io.ibex.model.ColumnDef> columns(TableInfo t) {
        return TargetSchema.columns(this, t);
    }

    @Override
    public void addColumn(TableInfo t, io.ibex.model.ColumnDef column) {
        TargetSchema.addColumn(this, t, column);
    }

    @Override
    public boolean executeDdl(String statement) {
        return TargetSchema.execute(this, statement);
    }

    @Override
    public boolean tellsCommitted() {
        try {
            return Pg.serverVersion(c) >= 100000;
        } catch (SQLException e) {
            throw fail("cannot read the server version", e);
        }
    }

    @Override
    public java.util.OptionalLong transactionId() {
        try {
            return java.util.OptionalLong.of(TransactionFate.current(c));
        } catch (SQLException e) {
            throw fail("cannot read the transaction id", e);
        }
    }

    @Override
    public Optional<Boolean> committed(long transactionId) {
        try {
            return TransactionFate.committed(c, transactionId);
        } catch (SQLException e) {
            throw fail("cannot tell whether transaction " + transactionId + " committed", e);
        }
    }

    @Override
    public void commit() {
        copyWithoutIndexes.rebuildAll();
        try {
            c.commit();
            temps.committed();
        } catch (SQLException e) {
            throw fail("commit failed", e);
        }
    }

    @Override
    public void rollback() {
        Pg.rollbackQuietly(c);
        copyWithoutIndexes.rolledBack();
        temps.rolledBack();
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
