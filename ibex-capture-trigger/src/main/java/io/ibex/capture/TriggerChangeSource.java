package io.ibex.capture;

import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.model.Relation;
import io.ibex.spi.ActivityWatch;
import io.ibex.spi.ChangeReader;
import io.ibex.spi.ChangeSource;
import io.ibex.spi.Pending;
import io.ibex.spi.Position;
import io.ibex.spi.SequenceSettings;
import io.ibex.catalog.SequenceCatalog;
import io.ibex.catalog.SourceCatalog;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Capture by triggers: each captured table's triggers record the changed keys with their txid in a change table of
 * {@value CaptureInstaller#SCHEMA}; a position is a txid snapshot (see {@link TxidSnapshotPosition}).
 */
public final class TriggerChangeSource implements ChangeSource {

    public static final String KIND = "trigger";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public String positionKind() {
        return TxidSnapshotPosition.KIND;
    }

    @Override
    public Position position(String text) {
        return new TxidSnapshotPosition(text);
    }

    @Override
    public Position earliest(Position a, Position b) {
        return TxidSnapshotPosition.of(a).xmin() <= TxidSnapshotPosition.of(b).xmin() ? a : b;
    }

    @Override
    public boolean install(Connection c, TableInfo t, boolean makedelta) throws SQLException {
        return CaptureInstaller.install(c, t, makedelta);
    }

    @Override
    public void remove(Connection c, String schema, String table) throws SQLException {
        CaptureInstaller.remove(c, schema, table);
    }

    @Override
    public void removeUnusedInfrastructure(Connection c) throws SQLException {
        CaptureInstaller.removeInfrastructureIfUnused(c);
    }

    /**
     * A table that got a BEFORE UPDATE trigger after capture was installed has its key-change trigger made to fire
     * on every UPDATE (see CaptureInstaller.keyTriggerMissesChanges), before any batch reads its changes.
     */
    @Override
    public String prepare(Connection c, TableInfo t) throws SQLException {
        if (!CaptureInstaller.keyTriggerMissesChanges(c, t)) {
            return null;
        }
        Pg.inTransaction(c, () -> {
            Pg.exec(c, "SET LOCAL lock_timeout = '10s'");
            CaptureInstaller.widenKeyTrigger(c, t);
        });
        return "has a BEFORE UPDATE trigger: its key changes are now captured on every UPDATE";
    }

    /** The snapshot just after the caller committed its triggers, made durable before it may be saved as a position. */
    @Override
    public Position now(Connection c) throws SQLException {
        TxidSnapshotPosition p = SourceSession.currentSnapshot(c);
        SourceSession.makeDurable(c);
        return p;
    }

    @Override
    public ChangeReader read(Connection c) throws SQLException {
        return SourceSession.begin(c);
    }

    @Override
    public ChangeReader readShared(Connection c, String shareId, Position at) throws SQLException {
        return SourceSession.beginAt(c, shareId, at);
    }

    @Override
    public void makeDurable(Connection c) throws SQLException {
        SourceSession.makeDurable(c);
    }

    /** A change whose transaction id is below the position's xmin is visible (or aborted) in it. */
    @Override
    public long release(Connection c, String schema, String table, Position passed) throws SQLException {
        if (!CaptureInstaller.isCaptured(c, schema, table)) {
            return 0;
        }
        return Pg.update(c, "DELETE FROM " + CaptureInstaller.names(schema, table).qualifiedDelta()
                + " WHERE ibex_txid < " + TxidSnapshotPosition.of(passed).xmin());
    }

    @Override
    public void releaseTruncates(Connection c, Position passed) throws SQLException {
        if (Pg.exists(c, "SELECT 1 FROM pg_namespace WHERE nspname = ?", CaptureInstaller.SCHEMA)) {
            Pg.update(c, "DELETE FROM " + CaptureInstaller.SCHEMA + ".truncated WHERE txid < " + TxidSnapshotPosition.of(passed).xmin());
        }
    }

    @Override
    public long backlog(Connection c, List<Relation> tables, Position position) throws SQLException {
        return Backlog.count(c, tables, TxidSnapshotPosition.of(position));
    }

    @Override
    public Map<Relation, Pending> pending(Connection c, List<Relation> tables, Position position) throws SQLException {
        return Backlog.pending(c, tables, TxidSnapshotPosition.of(position));
    }

    @Override
    public long captureBytes(Connection c) throws SQLException {
        return Pg.queryLong(c, "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_catalog.pg_class c "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '" + CaptureInstaller.SCHEMA + "' AND c.relkind = 'r'");
    }

    @Override
    public ActivityWatch watch(Connection c) throws SQLException {
        return new TriggerActivityWatch(c);
    }

    @Override
    public Optional<TableInfo> table(Connection c, String schema, String name) throws SQLException {
        return SourceCatalog.table(c, schema, name);
    }

    @Override
    public io.ibex.spi.SchemaScript schemaScript(Connection c, List<String[]> tables, List<String[]> sequences) throws SQLException {
        return io.ibex.catalog.TableDefinitionReader.script(c, tables, sequences);
    }

    @Override
    public boolean hasSequence(Connection c, String schema, String name) throws SQLException {
        return SourceCatalog.relation(c, schema, name).filter(SourceCatalog.Rel::isSequence).isPresent();
    }

    @Override
    public SequenceSettings sequenceSettings(Connection c, String schema, String name) throws SQLException {
        return SequenceCatalog.read(c, schema, name);
    }

    @Override
    public void registerOwnSession(Connection c) throws SQLException {
        OwnSessions.register(c);
    }

    /**
     * The statement and the txid of its transaction, which is the point: a read whose snapshot sees that txid sees
     * the change. Tables whose columns the statement changed get their capture installed again in the same
     * transaction, where their key is unchanged (a changed key holds the table: see the engine's SchemaGate).
     */
    @Override
    public String runDdl(Connection c, String statement, List<TableInfo> captured) throws SQLException {
        String[] point = new String[1];
        Pg.inTransaction(c, () -> {
            var before = SourceColumns.read(c, captured);
            Pg.exec(c, statement);
            point[0] = Pg.queryString(c, "SELECT txid_current()::text");
            var after = SourceColumns.read(c, captured);
            for (TableInfo t : captured) {
                if (after.containsKey(t.qualifiedName()) && !after.get(t.qualifiedName()).equals(before.get(t.qualifiedName()))) {
                    Optional<TableInfo> now = SourceCatalog.table(c, t.schema(), t.name());
                    if (now.isPresent() && now.get().keyColumns().equals(t.keyColumns()) && CaptureInstaller.isCaptured(c, t.schema(), t.name())) {
                        boolean makedelta = Pg.exists(c, "SELECT 1 FROM " + CaptureInstaller.SCHEMA + ".captured WHERE schemaname = ? "
                                + "AND relname = ? AND makedelta", t.schema(), t.name());
                        CaptureInstaller.install(c, now.get(), makedelta);
                    }
                }
            }
        });
        return point[0];
    }
}
