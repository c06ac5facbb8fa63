package io.ibex.engine;

import io.ibex.db.Pg;
import io.ibex.model.ColumnDef;
import io.ibex.model.Database;
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

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks, before each apply of one consumer (sync, source, target), that every table has on the target what the
 * source has at the batch's snapshot, and acts on what changed (README, "Schema changes"; docs/design.md, "Schema
 * changes: the point in the stream"): the statements of 'ibex ddl' whose transaction the snapshot sees are run on the
 * target; a column added on the source is added on the target (ddl=auto) before any row with it is applied; what
 * cannot be followed holds the table alone, its changes kept from the position where the hold began, until the
 * schemas agree again, when they are applied from there.
 */
final class SchemaGate {

    private static final Logger log = LoggerFactory.getLogger(SchemaGate.class);

    /** What a batch applies: the tables with the shape to send, and the tables released with the position of their hold. */
    record Outcome(List<SyncPlan.Table> apply, List<Catchup> released) {
    }

    record Catchup(SyncPlan.Table table, Position since) {
    }

    private final Repository repo;
    private final SyncPlan plan;
    private final Database source;
    private final Connection sourceConnection;
    private final Database targetDb;
    private final Target target;
    /** The shape last applied per target and table: while the source's columns are those, nothing is asked of the target. */
    private final Map<String, TableInfo> shapes;
    private final PositionCodec codec = ChangeSources.codec();
    /** The tables an onetimecopy copied whose first batch since has not come (see CopyShapes): a column added copies them again. */
    private final java.util.Set<String> copied;

    SchemaGate(Repository repo, SyncPlan plan, Database source, Connection sourceConnection, Database targetDb, Target target,
               Map<String, TableInfo> shapes, java.util.Set<String> copied) {
        this.copied = copied;
        this.repo = repo;
        this.plan = plan;
        this.source = source;
        this.sourceConnection = sourceConnection;
        this.targetDb = targetDb;
        this.target = target;
        this.shapes = shapes;
    }

    /** Whether the gate has something to do even in an empty window: held tables, queued statements. */
    boolean pending() {
        SchemaChanges sc = repo.schemaChanges();
        return !held().isEmpty() || !sc.pending(plan.sync().name(), source.name(), targetDb.name()).isEmpty();
    }

    Outcome pass(ChangeReader session, ChangeWindow window) throws SQLException {
        runQueued(session);
        Map<String, SchemaChanges.Held> held = held();
        for (String gone : held.keySet()) { // a held table removed from the sync holds nothing any more
            if (plan.tables().stream().noneMatch(t -> t.info().qualifiedName().equals(gone))) {
                repo.schemaChanges().release(plan.sync().name(), source.name(), targetDb.name(), gone);
            }
        }
        Map<String, List<ColumnDef>> sourceColumns = session.columns(plan.tables().stream().map(SyncPlan.Table::info).toList());
        List<SyncPlan.Table> apply = new ArrayList<>();
        List<Catchup> released = new ArrayList<>();
        for (SyncPlan.Table t : plan.tables()) {
            String name = t.info().qualifiedName();
            String cacheKey = targetDb.name() + "\u0000" + name;
            TableInfo known = shapes.get(cacheKey);
            List<ColumnDef> now = sourceColumns.get(name);
            SchemaChanges.Held h = held.get(name);
            if (t.info().selectList() != null) { // customcols: the columns sent are the user's list, kept as planned
                apply.add(t);
                continue;
            }
            if (h == null && known != null && SchemaDrift.same(known, now)) {
                copied.remove(cacheKey); // no ALTER committed before this snapshot: none ran under the copy
                apply.add(new SyncPlan.Table(t.relation(), known));
                continue;
            }
            TableInfo base = known != null ? known : t.info();
            SchemaDrift drift = drift(base, now);
            if (!drift.held() && !drift.add().isEmpty()) {
                drift = addColumns(session, base, now, drift.add(), copied.remove(cacheKey));
            }
            if (drift.held()) {
                hold(name, h, drift, window);
                continue;
            }
            TableInfo shape = SchemaDrift.shape(base, now);
            shapes.put(cacheKey, shape);
            SyncPlan.Table gated = new SyncPlan.Table(t.relation(), shape);
            if (h == null) {
                apply.add(gated);
            } else {
                repo.schemaChanges().release(plan.sync().name(), source.name(), targetDb.name(), name);
                log.info("KID ({}) Released {} for {}: its schema agrees again; its changes since the hold follow", plan.sync().name(),
                        name, targetDb.name());
                released.add(new Catchup(gated, codec.decode(h.since())));
            }
        }
        return new Outcome(apply, released);
    }

    private SchemaDrift drift(TableInfo base, List<ColumnDef> now) throws SQLException {
        List<String> key = null;
        if (now != null && !SchemaDrift.same(base, now)) { // the columns changed: the key may have too
            key = ChangeSources.of(source).table(sourceConnection, base.schema(), base.name()).map(TableInfo::keyColumns).orElse(null);
        }
        List<ColumnDef> there = canChange() ? target.columns(base) : null;
        if (there == null) {
            if (now != null && SchemaDrift.same(base, now)) {
                return SchemaDrift.NONE; // an adapter that cannot describe its tables: as before, the planned shape
            }
            return SchemaDrift.hold("the columns of " + base.qualifiedName() + " changed on the source, and database \"" + targetDb.name()
                    + "\" (type " + targetDb.type() + ") cannot follow schema changes", "make the same change there and restart the daemon");
        }
        return SchemaDrift.of(plan.sync().name(), targetDb.name(), base, now, key, there);
    }

    private boolean canChange() {
        return TargetRegistry.installed().require(targetDb).capabilities().contains(TargetCapability.SCHEMA_CHANGES);
    }

    /**
     * Adds the source's new columns on the target, in a transaction of its own, before any row of this batch: rows
     * that have not changed since the previous batch get the default there as they got it on the source. A default
     * that is not a constant (now(), a sequence, random()) gave each row its own value: the table is then copied whole
     * in the same transaction, as of the batch's snapshot.
     */
    private SchemaDrift addColumns(ChangeReader session, TableInfo base, List<ColumnDef> now, List<ColumnDef> add, boolean afterCopy) {
        String sync = plan.sync().name();
        String cols = String.join(", ", add.stream().map(c -> c.name() + " " + c.type()).toList());
        if (!"auto".equals(repo.schemaChanges().ddlMode(sync))) {
            return SchemaDrift.hold("column(s) " + cols + " of " + base.qualifiedName() + " added on the source (ddl=hold)",
                    "add them on database \"" + targetDb.name() + "\" and run 'ibex activate " + sync + "', or 'ibex update sync " + sync + " ddl=auto'");
        }
        TableInfo shape = SchemaDrift.shape(base, now);
        // after a copy, the ALTER may have rewritten the table under the copy's older snapshot, which then read it empty
        boolean recopy = afterCopy || add.stream().anyMatch(c -> !c.constantDefault());
        target.begin();
        try {
            for (ColumnDef c : add) {
                target.addColumn(base, c);
            }
            if (recopy) {
                target.truncate(shape);
                try (InputStream rows = session.allRows(shape)) {
                    target.insertRows(shape, rows);
                }
            }
            target.commit();
        } catch (RuntimeException | SQLException | IOException e) {
            target.rollback();
            return SchemaDrift.hold("cannot add column(s) " + cols + " of " + base.qualifiedName() + " on database \"" + targetDb.name() + "\": "
                    + Pg.firstLine(e), "add them there yourself and run 'ibex activate " + sync + "'");
        }
        log.info("KID ({}) Added column(s) {} to {} on {}{}", sync, cols, base.qualifiedName(), targetDb.name(),
                !recopy ? "" : afterCopy ? " (added while the table's onetimecopy ran: the table was copied whole again)"
                        : " (a default that is not a constant: the table was copied whole)");
        return SchemaDrift.NONE;
    }

    /** Runs the queued statements of 'ibex ddl' that this batch's snapshot sees, in the order they ran on the source. */
    private void runQueued(ChangeReader session) {
        String sync = plan.sync().name();
        for (SchemaChanges.Queued q : repo.schemaChanges().pending(sync, source.name(), targetDb.name())) {
            if (!session.passed(q.point())) {
                return;
            }
            if (!canChange()) {
                log.warn("KID ({}) Schema change #{} not run on {} (type {} cannot): make it there yourself: {}", sync, q.id(),
                        targetDb.name(), targetDb.type(), q.statement());
            } else {
                target.begin();
                boolean ran = target.executeDdl(q.statement());
                target.commit();
                log.info("KID ({}) Schema change #{} {} on {}: {}", sync, q.id(), ran ? "run" : "found done already", targetDb.name(), q.statement());
            }
            // recorded at once, not with the batch's position: after a crash only this statement can be in doubt, and
            // running it again on the state it left fails as "already exists"/"does not exist" (see design.md)
            repo.schemaChanges().applied(q.id(), targetDb.name());
            repo.commit();
        }
    }

    private Map<String, SchemaChanges.Held> held() {
        Map<String, SchemaChanges.Held> out = new HashMap<>();
        for (SchemaChanges.Held h : repo.schemaChanges().held(plan.sync().name())) {
            if (h.sourceDb().equals(source.name()) && h.targetDb().equals(targetDb.name())) {
                out.put(h.table(), h);
            }
        }
        return out;
    }

    private void hold(String table, SchemaChanges.Held before, SchemaDrift drift, ChangeWindow window) {
        String sync = plan.sync().name();
        String since = before != null ? before.since() : codec.encode(window.previous());
        repo.schemaChanges().hold(sync, source.name(), targetDb.name(), table, since, drift.reason(), drift.fix());
        if (before == null || !before.reason().equals(drift.reason())) {
            log.warn("KID ({}) Held {} for {}: {}; {}. Its changes wait; the sync's other tables go on", sync, table, targetDb.name(),
                    drift.reason(), drift.fix());
        }
    }
}
