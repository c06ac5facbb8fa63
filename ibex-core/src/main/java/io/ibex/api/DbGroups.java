package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.model.DbGroup;
import io.ibex.repository.Repository;
import io.ibex.model.Role;

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
            repo.requireDatabase(db);
            if (!seen.add(db)) {
                throw new IbexException("database \"" + db + "\" is named twice");
            }
            members.add(new DbGroup.Member(db, role));
        }
        return members;
    }

    List<DbGroup> dbGroups() {
        try (Repository repo = openRepository()) {
            return repo.dbGroups();
        }
    }
}
