package io.ibex.engine;

import io.ibex.db.Pg;
import io.ibex.model.ColumnDef;
import io.ibex.model.Database;
import io.ibex.model.Role;
import io.ibex.model.TableInfo;
import io.ibex.repository.Repository;
import io.ibex.repository.SchemaChanges;
import io.ibex.spi.ChangeReader;
import io.ibex.spi.ChangeSources;
import io.ibex.spi.ChangeWindow;
import io.ibex.spi.Position;
import io.ibex.spi.PositionCodec;
import io.ibex.spi.Target;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The schema gate of a sync with several sources (README, "Schema changes"; design.md, "Schema changes: the point in
 * the stream"). Before a run reads a change it compares, table by table, every source's columns as the run's snapshot
 * sees them, and the targets'. A table that differs is held alone: the run leaves it out while every position moves
 * on, and the hold keeps, per source, the position from which its changes are still to come (target_db "*": every
 * database of the sync). A column every source has, the same way, is added on the targets that lack it before any row
 * is applied; once the databases agree, a held table is released and read from those positions.
 */
final class MultiSourceGate {

    /** Every database of the sync, as a held table's target. */
    static final String EVERY_DB = "*";

    private static final Logger log = LoggerFactory.getLogger(MultiSourceGate.class);
    private static final PositionCodec CODEC = ChangeSources.codec();

    /** The tables to apply with their columns, and for the tables released now, each source's position of the hold. */
    record Outcome(List<SyncPlan.Table> apply, Map<String, Map<String, Position>> since) {
    }

    /** A table's replication key on a source now (null: not known there). */
    interface KeyLookup {
        List<String> key(String source, TableInfo table) throws SQLException;
    }

    private MultiSourceGate() {
    }

    static Outcome pass(Repository repo, SyncPlan plan, Map<String, ChangeReader> sessions, Map<String, ChangeWindow> windows,
                        Map<String, Target> targets, KeyLookup keys) throws SQLException {
        String sync = plan.sync().name();
        List<TableInfo> infos = plan.tables().stream().map(SyncPlan.Table::info).toList();
        Map<String, Map<String, List<ColumnDef>>> sourceColumns = new LinkedHashMap<>();
        for (Database s : plan.sources()) {
            sourceColumns.put(s.name(), sessions.get(s.name()).columns(infos));
        }
        Map<String, Map<String, SchemaChanges.Held>> held = held(repo, sync);
        for (String gone : held.keySet()) { // a held table removed from the sync holds nothing any more
            if (infos.stream().noneMatch(t -> t.qualifiedName().equals(gone))) {
                held.get(gone).keySet().forEach(s -> repo.schemaChanges().release(sync, s, EVERY_DB, gone));
            }
        }
        Set<String> canChange = new HashSet<>();
        plan.targets().stream().filter(m -> m.role() == Role.TARGET).map(SyncPlan.Member::db)
                .filter(d -> TargetRegistry.installed().require(d).capabilities().contains(TargetCapability.SCHEMA_CHANGES))
                .forEach(d -> canChange.add(d.name()));
        String ddlMode = repo.schemaChanges().ddlMode(sync);
        List<SyncPlan.Table> apply = new java.util.ArrayList<>();
        Map<String, Map<String, Position>> since = new LinkedHashMap<>();
        for (SyncPlan.Table t : plan.tables()) {
            String name = t.info().qualifiedName();
            Map<String, List<ColumnDef>> perSource = new LinkedHashMap<>();
            sourceColumns.forEach((s, cols) -> perSource.put(s, cols.get(name)));
            Map<String, List<ColumnDef>> perTarget = new LinkedHashMap<>();
            for (var e : targets.entrySet()) {
                perTarget.put(e.getKey(), canChange.contains(e.getKey()) ? e.getValue().columns(t.info()) : null);
            }
            String keyChange = keyChange(t.info(), perSource, keys);
            MultiSourceSchema verdict = keyChange != null
                    ? MultiSourceSchema.hold(keyChange, "a table's key cannot change under a running sync: remove the table from the sync and add it again")
                    : MultiSourceSchema.of(sync, ddlMode, t.info(), perSource, perTarget, canChange);
            Map<String, SchemaChanges.Held> before = held.getOrDefault(name, Map.of());
            if (!verdict.held()) {
                verdict = addColumns(sync, t.info(), verdict, targets);
            }
            if (verdict.held()) {
                hold(repo, plan, name, before, verdict, windows);
                continue;
            }
            apply.add(new SyncPlan.Table(t.relation(), SchemaDrift.shape(t.info(), verdict.columns())));
            if (!before.isEmpty()) {
                Map<String, Position> from = new LinkedHashMap<>();
                before.forEach((s, h) -> {
                    from.put(s, CODEC.decode(h.since()));
                    repo.schemaChanges().release(sync, s, EVERY_DB, name);
                });
                since.put(name, from);
                log.info("KID ({}) Released {}: its columns agree again on every database; its changes since the hold follow", sync, name);
            }
        }
        return new Outcome(apply, since);
    }

    /** How the table's key changed on a source whose columns changed (a key that gains or loses a column), or null. */
    private static String keyChange(TableInfo planned, Map<String, List<ColumnDef>> perSource, KeyLookup keys) throws SQLException {
        for (var s : perSource.entrySet()) {
            if (s.getValue() == null || SchemaDrift.same(planned, s.getValue())) {
                continue; // gone (held below with its own reason), or unchanged: the key did not change either
            }
            List<String> now = keys.key(s.getKey(), planned);
            if (now != null && !now.isEmpty() && !now.equals(planned.keyColumns())) {
                return "the key of " + planned.qualifiedName() + " changed on database \"" + s.getKey() + "\" from ("
                        + String.join(", ", planned.keyColumns()) + ") to (" + String.join(", ", now) + ")";
            }
        }
        return null;
    }

    /** Adds, on each target that lacks them, the columns every source has, each target in a transaction of its own. */
    private static MultiSourceSchema addColumns(String sync, TableInfo table, MultiSourceSchema verdict, Map<String, Target> targets) {
        for (var e : verdict.add().entrySet()) {
            Target target = targets.get(e.getKey());
            String cols = String.join(", ", e.getValue().stream().map(c -> c.name() + " " + c.type()).toList());
            target.begin();
            try {
                for (ColumnDef c : e.getValue()) {
                    target.addColumn(table, c);
                }
                target.commit();
            } catch (RuntimeException ex) {
                target.rollback();
                return new MultiSourceSchema(null, Map.of(), "cannot add column(s) " + cols + " of " + table.qualifiedName() + " on database \""
                        + e.getKey() + "\": " + Pg.firstLine(ex), "add them there yourself and run 'ibex activate " + sync + "'");
            }
            log.info("KID ({}) Added column(s) {} to {} on {}: every source has them", sync, cols, table.qualifiedName(), e.getKey());
        }
        return verdict;
    }

    private static void hold(Repository repo, SyncPlan plan, String table, Map<String, SchemaChanges.Held> before, MultiSourceSchema verdict,
                             Map<String, ChangeWindow> windows) {
        String sync = plan.sync().name();
        boolean news = before.isEmpty() || before.values().stream().anyMatch(h -> !h.reason().equals(verdict.reason()));
        for (Database s : plan.sources()) {
            SchemaChanges.Held h = before.get(s.name());
            String from = h != null ? h.since() : CODEC.encode(windows.get(s.name()).previous());
            repo.schemaChanges().hold(sync, s.name(), EVERY_DB, table, from, verdict.reason(), verdict.fix());
        }
        if (news) {
            log.warn("KID ({}) Held {} on every database: {}; {}. Its changes wait; the sync's other tables go on", sync, table,
                    verdict.reason(), verdict.fix());
        }
    }

    /** The sync's tables held on every database: table, then source, then its hold. */
    static Map<String, Map<String, SchemaChanges.Held>> held(Repository repo, String sync) {
        Map<String, Map<String, SchemaChanges.Held>> out = new LinkedHashMap<>();
        for (SchemaChanges.Held h : repo.schemaChanges().held(sync)) {
            if (h.targetDb().equals(EVERY_DB)) {
                out.computeIfAbsent(h.table(), k -> new LinkedHashMap<>()).put(h.sourceDb(), h);
            }
        }
        return out;
    }
}
