package io.ibex.api;

import io.ibex.api.Ibex.Delta;
import io.ibex.capture.Backlog;
import io.ibex.capture.Snapshot;
import io.ibex.engine.Purger;
import io.ibex.repository.Database;
import io.ibex.repository.DbGroup;
import io.ibex.repository.Relation;
import io.ibex.repository.Repository;
import io.ibex.repository.Role;
import io.ibex.repository.Sync;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@code ibex delta} and {@code ibex purge}: the change rows still to deliver, and those every consumer has. */
final class Deltas extends RepositoryCommand {
    Deltas(Supplier<Repository> repositories) {
        super(repositories);
    }

    /** {@code ibex delta [DB ...]}: per source database and table, the changes still to deliver. */
    List<Delta> delta(List<String> dbs) {
        try (Repository repo = openRepository()) {
            List<Delta> out = new ArrayList<>();
            Map<String, Map<Relation, String>> oldest = new LinkedHashMap<>();
            for (Sync s : repo.syncs()) {
                DbGroup g = repo.requireDbGroup(s.dbgroup());
                List<Relation> tables = repo.requireRelGroup(s.relgroup()).members().stream().filter(r -> !r.isSequence()).toList();
                for (Repository.Position p : repo.positions()) {
                    if (!p.sync().equals(s.name()) || !g.dbsWithRole(Role.SOURCE).contains(p.sourceDb())
                            || (!dbs.isEmpty() && !dbs.contains(p.sourceDb()))) {
                        continue;
                    }
                    for (Relation r : tables) {
                        oldest.computeIfAbsent(p.sourceDb(), k -> new LinkedHashMap<>()).merge(r, p.snapshot(),
                                (a, b) -> new Snapshot(a).xmin() <= new Snapshot(b).xmin() ? a : b);
                    }
                }
            }
            for (var e : oldest.entrySet()) {
                Database db = repo.requireDatabase(e.getKey());
                for (var t : e.getValue().entrySet()) {
                    out.add(new Delta(db.name(), t.getKey().qualifiedName(),
                            Backlog.count(db.connection(), List.of(t.getKey()), t.getValue())));
                }
            }
            return out;
        }
    }

    /** {@code ibex purge}: deletes the change rows every consumer has received, now rather than at the daemon's next turn. */
    long purge() {
        try (Repository repo = openRepository()) {
            return Purger.purge(repo);
        }
    }
}
