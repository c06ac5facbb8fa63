package io.ibex.engine;

import io.ibex.model.CustomName;
import io.ibex.model.KeyRange;
import io.ibex.model.TableInfo;
import io.ibex.spi.CopyPath;
import io.ibex.spi.ForeignKeyOrder;
import io.ibex.spi.SequenceSettings;
import io.ibex.spi.Target;

import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A target that writes some tables under another name (customname): every table the engine passes, named as on the
 * source, reaches the adapter under its name on this database. The columns, key and rows are the source's, unchanged.
 * The foreign-key order the adapter reads under the target's names is given back under the source's.
 */
final class RenamingTarget implements Target {
    private final Target inner;
    private final Map<String, CustomName> names;

    RenamingTarget(Target inner, Map<String, CustomName> names) {
        this.inner = inner;
        this.names = names;
    }

    private TableInfo on(TableInfo t) {
        CustomName n = names.get(t.qualifiedName());
        return n == null ? t : new TableInfo(n.schema(), n.name(), t.columns(), t.keyColumns(), t.keyTypes(), t.selectList());
    }

    @Override
    public void begin() {
        inner.begin();
    }

    @Override
    public void checkTable(TableInfo source) {
        inner.checkTable(on(source));
    }

    @Override
    public void truncate(TableInfo table) {
        inner.truncate(on(table));
    }

    @Override
    public void empty(TableInfo table, String deletemethod) {
        inner.empty(on(table), deletemethod);
    }

    @Override
    public CopyPath emptyForCopy(TableInfo table, String deletemethod) {
        return inner.emptyForCopy(on(table), deletemethod);
    }

    @Override
    public String finishCopy(TableInfo table) {
        return inner.finishCopy(on(table));
    }

    @Override
    public boolean hasRows(TableInfo table) {
        return inner.hasRows(on(table));
    }

    @Override
    public void reindex(TableInfo table) {
        inner.reindex(on(table));
    }

    @Override
    public void analyze(TableInfo table) {
        inner.analyze(on(table));
    }

    @Override
    public long deleteKeys(TableInfo table, InputStream keys) {
        return inner.deleteKeys(on(table), keys);
    }

    @Override
    public long deleteKeys(TableInfo table, InputStream keys, KeyRange range) {
        return inner.deleteKeys(on(table), keys, range);
    }

    @Override
    public java.util.OptionalLong transactionId() {
        return inner.transactionId();
    }

    @Override
    public Optional<Boolean> committed(long transactionId) {
        return inner.committed(transactionId);
    }

    @Override
    public boolean tellsCommitted() {
        return inner.tellsCommitted();
    }

    @Override
    public long deleteRange(TableInfo table, KeyRange range) {
        return inner.deleteRange(on(table), range);
    }

    @Override
    public long insertRows(TableInfo table, InputStream rows) {
        return inner.insertRows(on(table), rows);
    }

    @Override
    public long[] replaceRows(TableInfo table, InputStream keys, Rows rows) throws IOException, SQLException {
        return inner.replaceRows(on(table), keys, rows);
    }

    @Override
    public List<long[]> replaceAll(List<Change> changes) throws IOException, SQLException {
        return inner.replaceAll(changes.stream().map(c -> new Change(on(c.table()), c.keys(), c.rows())).toList());
    }

    @Override
    public ForeignKeyOrder foreignKeyOrder(List<TableInfo> tables) {
        Map<String, String> back = new HashMap<>();
        for (TableInfo t : tables) {
            back.put(on(t).qualifiedName(), t.qualifiedName());
        }
        return inner.foreignKeyOrder(tables.stream().map(this::on).toList()).renamed(n -> back.getOrDefault(n, n));
    }

    @Override
    public Optional<java.sql.Connection> session() {
        return inner.session();
    }

    @Override
    public void fence(String sync, long epoch) {
        inner.fence(sync, epoch);
    }

    @Override
    public Optional<String> describeReplicaMode() {
        return inner.describeReplicaMode();
    }

    @Override
    public void readRows(TableInfo table, RowSink sink) throws IOException {
        inner.readRows(on(table), sink);
    }

    @Override
    public boolean holdsRowsWithoutValues() {
        return inner.holdsRowsWithoutValues();
    }

    @Override
    public boolean setSequence(String schema, String name, long lastValue, boolean isCalled, SequenceSettings settings) {
        return inner.setSequence(schema, name, lastValue, isCalled, settings);
    }

    @Override
    public List<io.ibex.model.ColumnDef> columns(TableInfo table) {
        return inner.columns(on(table));
    }

    @Override
    public void addColumn(TableInfo table, io.ibex.model.ColumnDef column) {
        inner.addColumn(on(table), column);
    }

    /** As given: a statement of 'ibex ddl' names the source's tables (README, "Schema changes": customname). */
    @Override
    public boolean executeDdl(String statement) {
        return inner.executeDdl(statement);
    }

    @Override
    public void commit() {
        inner.commit();
    }

    @Override
    public void rollback() {
        inner.rollback();
    }

    @Override
    public void close() {
        inner.close();
    }
}
