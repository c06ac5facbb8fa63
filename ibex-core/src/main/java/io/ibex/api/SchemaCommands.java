package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.db.Pg;
import io.ibex.engine.Daemon;
import io.ibex.engine.Targets;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.Relation;
import io.ibex.model.Role;
import io.ibex.model.SessionNames;
import io.ibex.model.Sync;
import io.ibex.model.TableInfo;
import io.ibex.repository.Repository;
import io.ibex.spi.ChangeSources;
import io.ibex.spi.Target;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetRegistry;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code ibex ddl SYNC "SQL"}: a schema change run on the source and queued for every target at its point in the
 * change stream (README, "Schema changes"). With several sources: run on every database of the sync in turn, and
 * the sync's runs wait until every one has it.
 */
final class SchemaCommands extends RepositoryCommand {

    static final String APP = "ibex-ddl";

    SchemaCommands(Supplier<Repository> repositories) {
        super(repositories);
    }

    DdlResult ddl(String syncName, String statement) {
        if (statement == null || statement.isBlank()) {
            throw new IbexException("ddl: give the statement, e.g. ibex ddl " + syncName + " \"ALTER TABLE t ADD COLUMN c integer\"");
        }
        try (Repository repo = openRepository()) {
            Sync s = repo.requireSync(syncName);
            DbGroup group = repo.requireDbGroup(s.dbgroup());
            List<String> sources = group.dbsWithRole(Role.SOURCE);
            List<TableInfo> captured = new ArrayList<>();
            for (Relation r : repo.requireRelGroup(s.relgroup()).members()) {
                if (!r.isSequence()) {
                    captured.add(new TableInfo(r.schema(), r.name(), List.of(), r.keyColumns(), r.keyTypes()));
                }
            }
            List<String> deltaTargets = group.members().stream().filter(m -> m.role() == Role.TARGET).map(DbGroup.Member::db).toList();
            if (sources.size() > 1) {
                return everywhere(repo, s, sources, deltaTargets, captured, statement);
            }
            Database source = repo.requireDatabase(sources.get(0));
            String point;
            try (Connection c = source.connection().openOrFail(APP, "source database \"" + source.name() + "\"")) {
                point = ChangeSources.of(source).runDdl(c, statement, captured);
            } catch (SQLException e) {
                throw new IbexException("ddl: source database \"" + source.name() + "\" refused the statement: " + Pg.firstLine(e), e);
            }
            repo.schemaChanges().queue(s.name(), source.name(), point, statement);
            repo.notify(Daemon.KICK_CHANNEL, Kicks.payload(repo.runs().kickTicket(), s.name()));
            repo.commit();
            List<String> queued = group.members().stream().filter(m -> m.role() != Role.SOURCE).map(DbGroup.Member::db).toList();
            return new DdlResult(List.of(source.name()), queued, point);
        }
    }

    /**
     * Several sources: the statement runs on each source and delta target in turn, each in a transaction of its own
     * (stopping at the first that refuses it, and saying where it ran already); the runs wait meanwhile, since they
     * go on only while every database has the same columns.
     */
    private DdlResult everywhere(Repository repo, Sync s, List<String> sources, List<String> targets, List<TableInfo> captured, String statement) {
        tryEverywhere(repo, sources, targets, statement);
        List<String> ran = new ArrayList<>();
        for (String name : sources) {
            Database db = repo.requireDatabase(name);
            try (Connection c = db.connection().openOrFail(APP, "database \"" + name + "\"")) {
                ChangeSources.of(db).runDdl(c, statement, captured);
                ran.add(name);
            } catch (SQLException e) {
                throw new IbexException("ddl: database \"" + name + "\" refused the statement: " + Pg.firstLine(e)
                        + (ran.isEmpty() ? "" : " (it ran on " + String.join(", ", ran) + " already: undo it there, or make it work here)"), e);
            }
        }
        for (String name : targets) {
            Database db = repo.requireDatabase(name);
            try (Target t = Targets.open(db, SessionNames.ofSync(s.name()))) {
                t.begin();
                t.executeDdl(statement);
                t.commit();
                ran.add(name);
            }
        }
        repo.notify(Daemon.KICK_CHANNEL, Kicks.payload(repo.runs().kickTicket(), s.name()));
        repo.commit();
        return new DdlResult(ran, List.of(), null);
    }

    /**
     * The rule of several sources: every database of the sync is given the statement the same way, or none is. Each
     * must be one that can run it (PostgreSQL) and be reachable, and the statement is tried on each in a transaction
     * that is rolled back; the first that refuses refuses the whole, before it ran anywhere.
     */
    private static void tryEverywhere(Repository repo, List<String> sources, List<String> targets, String statement) {
        List<String> all = new ArrayList<>(sources);
        all.addAll(targets);
        for (String name : all) {
            Database db = repo.requireDatabase(name);
            if (!TargetRegistry.installed().require(db).capabilities().contains(TargetCapability.SCHEMA_CHANGES)) {
                throw new IbexException("ddl: refused: a sync with several sources is given a statement on every database the same way, "
                        + "and database \"" + name + "\" (type " + db.type() + ") cannot run it; nothing was run");
            }
            try (Connection c = db.connection().openOrFail(APP, "database \"" + name + "\"")) {
                c.setAutoCommit(false);
                try (var st = c.createStatement()) {
                    st.execute(statement);
                } finally {
                    c.rollback();
                }
            } catch (SQLException e) {
                throw new IbexException("ddl: refused: database \"" + name + "\" refuses the statement (" + Pg.firstLine(e)
                        + "); a sync with several sources is given it on every database the same way or not at all; nothing was run", e);
            }
        }
    }
}
