package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.model.DbGroup;
import io.ibex.repository.Repository;
import io.ibex.model.Role;

import io.ibex.model.Database;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetRegistry;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** {@code ibex add dbgroup}, the list of dbgroups, and the db:role grammar add sync shares. */
final class DbGroups extends RepositoryCommand {
    DbGroups(Supplier<Repository> repositories) {
        super(repositories);
    }

    /** {@code add dbgroup NAME db1:source db2:target ...}; a database without a role is a target, the first a source. */
    DbGroup addDbGroup(String name, List<String> items) {
        Names.check("dbgroup", name);
        try (Repository repo = openRepository()) {
            if (repo.dbGroup(name).isPresent()) {
                throw new IbexException("a dbgroup named \"" + name + "\" already exists");
            }
            List<DbGroup.Member> members = parseMembers(repo, items);
            DbGroup g = new DbGroup(name, members);
            repo.createDbGroup(g);
            repo.commit();
            return g;
        }
    }

    static List<DbGroup.Member> parseMembers(Repository repo, List<String> items) {
        if (items.isEmpty()) {
            throw new IbexException("name the databases of the group, as db1:source db2:target");
        }
        List<DbGroup.Member> members = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            int colon = item.indexOf(':');
            String db = colon < 0 ? item : item.substring(0, colon);
            Role role = colon < 0 ? (i == 0 ? Role.SOURCE : Role.TARGET) : Role.parse(item.substring(colon + 1));
            Database d = repo.requireDatabase(db);
            if (role == Role.SOURCE && TargetRegistry.installed().find(d.type()).map(t -> !t.can(TargetCapability.SOURCE)).orElse(false)) {
                throw new IbexException("database \"" + db + "\" is of type " + d.type()
                        + ", which can only be a target (as in Bucardo): give it the role target or fullcopy");
            }
            if (!seen.add(db)) {
                throw new IbexException("database \"" + db + "\" is named twice");
            }
            members.add(new DbGroup.Member(db, role));
        }
        return members;
    }

    /**
     * {@code update dbgroup NAME [add] db:role ... [remove db ...]}: databases added, given another role or taken
     * out; the syncs of the group get capture on a new source and a starting point for a new receiver. One transaction.
     */
    DbGroup updateDbGroup(String name, List<String> words) {
        try (Repository repo = openRepository()) {
            DbGroup before = repo.requireDbGroup(name);
            boolean removing = false;
            if (words.isEmpty()) {
                throw new IbexException("update dbgroup: give db:role items to add or change, or 'remove db ...' (see 'ibex help update')");
            }
            for (String w : words) {
                if (w.equalsIgnoreCase("add") || w.equalsIgnoreCase("remove")) {
                    removing = w.equalsIgnoreCase("remove");
                    continue;
                }
                int colon = w.indexOf(':');
                String db = colon < 0 ? w : w.substring(0, colon);
                repo.requireDatabase(db);
                if (removing) {
                    if (colon >= 0 || before.members().stream().noneMatch(m -> m.db().equals(db))) {
                        throw new IbexException("update dbgroup: \"" + w + "\" is not a database of dbgroup \"" + name + "\"");
                    }
                    repo.removeDbGroupMember(name, db);
                } else {
                    Role role = colon < 0 ? Role.TARGET : Role.parse(w.substring(colon + 1));
                    repo.setDbGroupMember(name, new DbGroup.Member(db, role));
                }
            }
            DbGroup after = repo.requireDbGroup(name);
            if (after.members().isEmpty()) {
                throw new IbexException("update dbgroup: dbgroup \"" + name + "\" would have no database left: remove the dbgroup instead");
            }
            for (io.ibex.model.Sync s : repo.syncs()) {
                if (s.dbgroup().equals(name)) {
                    if (after.dbsWithRole(Role.SOURCE).isEmpty()) {
                        throw new IbexException("update dbgroup: sync \"" + s.name() + "\" would have no source database");
                    }
                    if (after.dbsWithRole(Role.SOURCE).size() > 1) {
                        SyncOptions.checkConflictStrategy(s.conflictStrategy(), after.dbsWithRole(Role.SOURCE));
                    }
                    io.ibex.engine.CaptureSetup.install(repo, s);
                }
            }
            repo.notify(io.ibex.engine.Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
            return after;
        }
    }

    List<DbGroup> dbGroups() {
        try (Repository repo = openRepository()) {
            return repo.dbGroups();
        }
    }
}
