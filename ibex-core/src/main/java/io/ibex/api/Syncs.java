package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.api.Ibex.AddSyncResult;
import io.ibex.model.DbGroup;
import io.ibex.model.Relation;
import io.ibex.repository.Repository;
import io.ibex.model.Role;
import io.ibex.model.Sync;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import static io.ibex.engine.CaptureSetup.install;
import static io.ibex.api.DbGroups.parseMembers;

/** {@code ibex add sync} (with the dbgroup and relgroup it may create on the way) and the list of syncs. */
final class Syncs extends RepositoryCommand {
    Syncs(Supplier<Repository> repositories) {
        super(repositories);
    }

    AddSyncResult addSync(String name, Map<String, String> given) {
        Names.check("sync", name);
        Params p = Params.of("add sync", given);
        String relgroup = p.take("relgroup", "herd");
        String tables = p.take("tables", "table");
        String dbgroup = p.take("dbgroup");
        String dbs = p.take("dbs", "db", "databases");
        SyncOptions options = SyncOptions.defaults().with(p, "add sync");
        String ddl = p.takeChoice(Set.of("auto", "hold"), "ddl");
        p.done();
        if (relgroup == null && tables == null) {
            throw new IbexException("add sync: say which tables: relgroup=NAME (or tables=t1,t2)");
        }
        if (dbgroup == null && dbs == null) {
            throw new IbexException("add sync: say which databases: dbs=DBGROUP, or db=source,target");
        }
        boolean relgroupCreated = false;
        boolean dbgroupCreated = false;
        try (Repository repo = openRepository()) {
            if (repo.sync(name).isPresent()) {
                throw new IbexException("a sync named \"" + name + "\" already exists");
            }
            // dbs= names a dbgroup, or lists databases (first the source, then the targets)
            String groupName = dbgroup;
            if (groupName == null && !dbs.contains(",") && !dbs.contains(":") && repo.dbGroup(dbs).isPresent()) {
                groupName = dbs;
            }
            if (groupName == null) {
                List<DbGroup.Member> members = parseMembers(repo, List.of(dbs.split(",")));
                Optional<DbGroup> existing = repo.findDbGroup(members);
                if (existing.isPresent()) {
                    groupName = existing.get().name();
                } else {
                    groupName = name;
                    if (repo.dbGroup(groupName).isPresent()) {
                        throw new IbexException("a dbgroup named \"" + name + "\" exists with other members; name the dbgroup with dbs=");
                    }
                    repo.createDbGroup(new DbGroup(groupName, members));
                    dbgroupCreated = true;
                }
            } else {
                repo.requireDbGroup(groupName);
            }
            if (relgroup == null) {
                relgroup = name;
                if (repo.relGroupExists(relgroup)) {
                    throw new IbexException("a relgroup named \"" + name + "\" exists already; name it with relgroup=");
                }
                repo.createRelGroup(relgroup);
                relgroupCreated = true;
                String sourceDb = repo.requireDbGroup(groupName).dbsWithRole(Role.SOURCE).stream().findFirst()
                        .orElseThrow(() -> new IbexException("add sync: the databases include no source"));
                for (String t : tables.split(",")) {
                    QualifiedName q = QualifiedName.parse(t.trim());
                    Relation r = repo.relations().stream().filter(x -> x.db().equals(sourceDb) && x.name().equals(q.name())
                                    && (q.schema() == null || x.schema().equals(q.schema()))).findFirst()
                            .orElseThrow(() -> new IbexException("table \"" + t.trim() + "\" has not been added: run 'ibex add table "
                                    + t.trim() + " db=" + sourceDb + "' first"));
                    repo.addToRelGroup(relgroup, r.id());
                }
            } else {
                repo.requireRelGroup(relgroup);
            }
            Sync sync = options.toSync(name, relgroup, groupName);
            DbGroup group = repo.requireDbGroup(groupName);
            SyncOptions.checkConflictStrategy(sync.conflictStrategy(), group.dbsWithRole(Role.SOURCE));
            if (!capturesChanges(group) && !givesAutokick(given)) {
                // a fullcopy sync copies whole tables: it runs when kicked, not on every change (as in Bucardo)
                sync = SyncOptions.of(sync).withAutokick(false).toSync(name, relgroup, groupName);
            }
            repo.addSync(sync);
            if (ddl != null) {
                repo.schemaChanges().setDdlMode(name, ddl);
            }
            List<String> captured = install(repo, sync); // inactive too: its changes wait for its activation
            repo.commit();
            return new AddSyncResult(sync, groupName, dbgroupCreated, relgroup, relgroupCreated, captured);
        }
    }

    /** Whether a sync of this group has changes to capture: a source and another database that receives deltas. */
    private static boolean capturesChanges(DbGroup group) {
        return !group.dbsWithRole(Role.SOURCE).isEmpty()
                && group.dbsWithRole(Role.SOURCE).size() + group.dbsWithRole(Role.TARGET).size() >= 2;
    }

    private static boolean givesAutokick(Map<String, String> given) {
        return given.keySet().stream().map(k -> k.toLowerCase(Locale.ROOT)).anyMatch(k -> k.equals("autokick") || k.equals("ping"));
    }

    List<Sync> syncs() {
        try (Repository repo = openRepository()) {
            return repo.syncs();
        }
    }
}
