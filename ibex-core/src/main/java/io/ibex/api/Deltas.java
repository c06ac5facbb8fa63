package io.ibex.api;

import io.ibex.api.Ibex.Delta;
import io.ibex.engine.Backlogs;
import io.ibex.engine.Purger;
import io.ibex.repository.Repository;

import java.util.ArrayList;
import java.util.List;
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
            Backlogs.furthestBehind(repo, dbs).forEach((db, tables) -> tables.forEach((table, rows) ->
                    out.add(new Delta(db.name(), table.qualifiedName(), rows))));
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
