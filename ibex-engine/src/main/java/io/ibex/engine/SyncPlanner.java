package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.RelGroup;
import io.ibex.model.Relation;
import io.ibex.repository.Repository;
import io.ibex.model.Role;
import io.ibex.model.Sync;
import io.ibex.spi.ChangeSource;
import io.ibex.spi.ChangeSources;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves and checks a sync. {@code add sync}, {@code validate} and the daemon all go through here, so that
 * validate can never say OK while the daemon fails.
 */
public final class SyncPlanner {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SyncPlanner.class);
    private SyncPlanner() {
    }

    public static final String APP = "ibex-validate";

    public static SyncPlan plan(Repository repo, Sync sync) {
        DbGroup group = repo.requireDbGroup(sync.dbgroup());
        RelGroup relgroup = repo.requireRelGroup(sync.relgroup());
        List<Database> sources = new ArrayList<>();
        List<SyncPlan.Member> targets = new ArrayList<>();
        for (DbGroup.Member m : group.members()) {
            Database db = repo.requireDatabase(m.db());
            if (m.role() == Role.SOURCE) {
                sources.add(db);
            } else {
                targets.add(new SyncPlan.Member(db, m.role()));
            }
        }
        if (sources.isEmpty()) {
            throw new IbexException("sync \"" + sync.name() + "\": dbgroup \"" + group.name() + "\" has no source database");
        }
        if (targets.isEmpty() && sources.size() < 2) {
            throw new IbexException("sync \"" + sync.name() + "\": dbgroup \"" + group.name() + "\" has no target database");
        }
        if (relgroup.members().isEmpty()) {
            throw new IbexException("sync \"" + sync.name() + "\": relgroup \"" + relgroup.name() + "\" has no tables");
        }
        boolean deltaTargets = sources.size() > 1 || targets.stream().anyMatch(t -> t.role() == Role.TARGET);
        if (sources.size() > 1) {
            ConflictStrategy.parse(sync.conflictStrategy(), sources.stream().map(Database::name).toList());
        }
        Database source = sources.get(0);
        List<SyncPlan.Table> tables = new ArrayList<>();
        List<Relation> sequences = new ArrayList<>();
        ChangeSource capture = ChangeSources.of(source);
        try (Connection c = source.connection().openOrFail(APP, "source database \"" + source.name() + "\"")) {
            for (Relation r : relgroup.members()) {
                if (r.isSequence()) {
                    if (!capture.hasSequence(c, r.schema(), r.name())) {
                        throw new IbexException("sequence " + r.qualifiedName() + " does not exist on source database \"" + source.name() + "\"");
                    }
                    sequences.add(r);
                    continue;
                }
                TableInfo info = capture.table(c, r.schema(), r.name()).orElseThrow(() -> new IbexException(
                        "table " + r.qualifiedName() + " does not exist on source database \"" + source.name() + "\""));
                if (info.keyColumns().isEmpty() && deltaTargets) {
                    throw new IbexException("table " + r.qualifiedName() + " has no primary key or unique NOT NULL index, so its changes "
                            + "cannot be replicated to a target; add a primary key, or replicate it in a sync whose other "
                            + "databases have the fullcopy role (dbgroup G src:source dst:fullcopy)");
                }
                tables.add(new SyncPlan.Table(r, info));
            }
            prepareCapture(c, source, tables);
        } catch (SQLException e) {
            throw new IbexException("source database \"" + source.name() + "\": " + Pg.firstLine(e), e);
        }
        for (Database other : sources.subList(1, sources.size())) {
            try (Connection c = other.connection().openOrFail(APP, "source database \"" + other.name() + "\"")) {
                prepareCapture(c, other, tables);
            } catch (SQLException e) {
                throw new IbexException("source database \"" + other.name() + "\": " + Pg.firstLine(e), e);
            }
        }
        java.util.Set<Long> ids = new java.util.HashSet<>();
        tables.forEach(t -> ids.add(t.relation().id()));
        List<io.ibex.model.CustomName> names = repo.customNames().all().stream()
                .filter(n -> ids.contains(n.relation()) && (n.sync() == null || n.sync().equals(sync.name()))).toList();
        return new SyncPlan(sync, sources, targets, tables, sequences, names);
    }

    /** Has the source's capture make each table ready before any batch reads its changes (see ChangeSource#prepare). */
    private static void prepareCapture(Connection c, Database db, List<SyncPlan.Table> tables) throws SQLException {
        ChangeSource capture = ChangeSources.of(db);
        for (SyncPlan.Table t : tables) {
            String done = capture.prepare(c, t.info());
            if (done != null) {
                log.info("MCP Table {} on database \"{}\" {}", t.info().qualifiedName(), db.name(), done);
            }
        }
    }

    /**
     * Connects to every database that receives changes, checks that each table is there with every column the
     * source has, and finds out how its triggers and foreign keys are held off. Returns that method per database.
     */
    public static java.util.Map<String, String> checkTargets(SyncPlan plan) {
        return checkTargets(plan, List.of(), false);
    }

    /** Like {@link #checkTargets(SyncPlan)} with the repository's custom columns and create_tables setting. */
    public static java.util.Map<String, String> checkTargets(Repository repo, SyncPlan plan) {
        return checkTargets(plan, repo.customColumns().list(), io.ibex.settings.Settings.parse(repo.settingTable().settings()).createTables());
    }

    /**
     * Each target's tables with the custom columns it gets; with createTables, a table that the target's copy will
     * create (create_tables) need not be there yet.
     */
    public static java.util.Map<String, String> checkTargets(SyncPlan all, List<io.ibex.model.CustomColumns> customColumns,
                                                             boolean createTables) {
        List<SyncPlan.Member> receivers = new ArrayList<>();
        all.sources().subList(1, all.sources().size()).forEach(db -> receivers.add(new SyncPlan.Member(db, Role.SOURCE)));
        receivers.addAll(all.targets());
        java.util.Map<String, String> modes = new java.util.LinkedHashMap<>();
        for (SyncPlan.Member m : receivers) {
            Database db = m.db();
            SyncPlan plan = TargetTables.forTarget(all, customColumns, db.name());
            boolean created = createTables && all.sources().size() == 1 && TableCreator.copies(all, m.role());
            try (var target = Targets.open(plan, db)) {
                for (SyncPlan.Table t : plan.tables()) {
                    if (!created || target.hasRelation(t.info().schema(), t.info().name())) {
                        target.checkTable(t.info());
                    }
                }
                target.foreignKeyOrder(plan.tables().stream().map(SyncPlan.Table::info)
                        .filter(t -> !created || target.hasRelation(t.schema(), t.name())).toList()); // a cycle it cannot order: said now
                target.describeReplicaMode().ifPresent(mode -> modes.put(db.name(), mode));
            }
        }
        return modes;
    }
}
