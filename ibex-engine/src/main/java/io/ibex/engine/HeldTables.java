package io.ibex.engine;

import io.ibex.db.Pg;
import io.ibex.model.ColumnDef;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.Relation;
import io.ibex.model.Role;
import io.ibex.model.TableInfo;
import io.ibex.repository.Repository;
import io.ibex.repository.SchemaChanges;
import io.ibex.spi.ChangeReader;
import io.ibex.spi.ChangeSources;
import io.ibex.spi.Target;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetRegistry;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code ibex activate} says about a sync's held tables: each one compared again, now, with the same rules as
 * the gates (SchemaDrift, MultiSourceSchema), as released (the daemon's next run, which activate kicks, applies its
 * changes since the hold) or still held with its reason. Reads only: the release itself is the gate's, which applies
 * the changes from the hold's position in the same step.
 */
public final class HeldTables {

    private HeldTables() {
    }

    /** One line per held table. */
    public static List<String> recheck(Repository repo, String sync) {
        List<SchemaChanges.Held> held = repo.schemaChanges().held(sync);
        if (held.isEmpty()) {
            return List.of();
        }
        var s = repo.requireSync(sync);
        DbGroup group = repo.requireDbGroup(s.dbgroup());
        Map<String, TableInfo> tables = new LinkedHashMap<>();
        for (Relation r : repo.requireRelGroup(s.relgroup()).members()) {
            if (!r.isSequence()) {
                tables.put(r.schema() + "." + r.name(), new TableInfo(r.schema(), r.name(), List.of(), r.keyColumns(), r.keyTypes()));
            }
        }
        String ddlMode = repo.schemaChanges().ddlMode(sync);
        List<String> out = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (SchemaChanges.Held h : held) {
            boolean every = MultiSourceGate.EVERY_DB.equals(h.targetDb());
            String where = every ? "on every database" : "for " + h.targetDb();
            if (!done.add(h.table() + "\u0000" + (every ? "" : h.sourceDb() + "\u0000" + h.targetDb()))) {
                continue;
            }
            TableInfo t = tables.get(h.table());
            String verdict;
            try {
                verdict = t == null ? null : every ? everyDatabase(repo, sync, ddlMode, group, t) : oneTarget(repo, sync, ddlMode, h, t);
            } catch (SQLException | RuntimeException e) {
                verdict = "cannot compare it now (" + Pg.firstLine(e) + ")";
            }
            out.add(verdict == null
                    ? "Released " + h.table() + " " + where + ": its columns agree again; the daemon applies its changes since the hold now"
                    : "Still held " + h.table() + " " + where + ": " + verdict);
        }
        return out;
    }

    /** A single-source hold: the source's columns against the target's, as the gate compares them; null if they agree. */
    private static String oneTarget(Repository repo, String sync, String ddlMode, SchemaChanges.Held h, TableInfo t) throws SQLException {
        Database source = repo.requireDatabase(h.sourceDb());
        Database targetDb = repo.requireDatabase(h.targetDb());
        List<ColumnDef> now;
        List<String> key;
        try (Connection c = source.connection().open("ibex-activate"); ChangeReader r = ChangeSources.of(source).read(c)) {
            now = r.columns(List.of(t)).get(t.qualifiedName());
            key = ChangeSources.of(source).table(c, t.schema(), t.name()).map(TableInfo::keyColumns).orElse(null);
        }
        if (!canChange(targetDb)) {
            return h.reason() + "; " + h.fix();
        }
        List<ColumnDef> there;
        try (Target target = Targets.open(targetDb, "ibex-activate")) {
            there = target.columns(t);
        }
        // the target's columns stand for the shape last applied: what the source has that it lacks is still to follow
        TableInfo shape = new TableInfo(t.schema(), t.name(), there.stream().map(c -> new TableInfo.Column(c.name(), c.type())).toList(),
                t.keyColumns(), t.keyTypes());
        SchemaDrift d = SchemaDrift.of(sync, targetDb.name(), shape, now, key, there);
        if (d.held()) {
            return d.reason() + "; " + d.fix();
        }
        return d.add().isEmpty() || "auto".equals(ddlMode) ? null : h.reason() + "; " + h.fix();
    }

    /** A hold of a sync with several sources: every source's columns and every target's; null if the gate would go on. */
    private static String everyDatabase(Repository repo, String sync, String ddlMode, DbGroup group, TableInfo t) throws SQLException {
        Map<String, List<ColumnDef>> sources = new LinkedHashMap<>();
        for (String name : group.dbsWithRole(Role.SOURCE)) {
            Database db = repo.requireDatabase(name);
            try (Connection c = db.connection().open("ibex-activate"); ChangeReader r = ChangeSources.of(db).read(c)) {
                sources.put(name, r.columns(List.of(t)).get(t.qualifiedName()));
            }
        }
        Map<String, List<ColumnDef>> targets = new LinkedHashMap<>();
        Set<String> canChange = new HashSet<>();
        for (DbGroup.Member m : group.members()) {
            if (m.role() != Role.TARGET) {
                continue;
            }
            Database db = repo.requireDatabase(m.db());
            if (!canChange(db)) {
                targets.put(db.name(), null);
                continue;
            }
            canChange.add(db.name());
            try (Target target = Targets.open(db, "ibex-activate")) {
                targets.put(db.name(), target.columns(t));
            }
        }
        // the planned shape is unknown here: the first source's columns stand for it (a target that cannot follow is
        // then taken as agreeing, and the daemon's gate has the last word)
        List<ColumnDef> first = sources.values().iterator().next();
        TableInfo planned = first == null ? t : new TableInfo(t.schema(), t.name(),
                first.stream().map(c -> new TableInfo.Column(c.name(), c.type())).toList(), t.keyColumns(), t.keyTypes());
        MultiSourceSchema v = MultiSourceSchema.of(sync, ddlMode, planned, sources, targets, canChange);
        return v.held() ? v.reason() + "; " + v.fix() : null;
    }

    private static boolean canChange(Database db) {
        return TargetRegistry.installed().require(db).capabilities().contains(TargetCapability.SCHEMA_CHANGES);
    }
}
