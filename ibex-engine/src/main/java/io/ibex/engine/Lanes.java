package io.ibex.engine;

import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The lanes of a sync (see {@link SyncPlan#lanes}) split into those the daemon runs and those it skips because a
 * database they read or write is marked inactive. A skipped lane keeps its positions, so its changes wait on the
 * source and follow once the database is active again. A sync with several sources has one lane for every
 * database, since a conflict involves them all: one inactive member holds the whole sync.
 */
public record Lanes(List<String> running, List<String> skipped, List<String> inactiveDbs) {

    /** dbs: the database of each name (null where it is unknown: counted as active). */
    public static Lanes of(DbGroup group, Function<String, Database> dbs) {
        List<String> inactive = group.members().stream().map(DbGroup.Member::db)
                .filter(n -> dbs.apply(n) != null && !dbs.apply(n).active()).toList();
        List<String> sources = group.dbsWithRole(Role.SOURCE);
        boolean sourceInactive = sources.stream().anyMatch(inactive::contains);
        List<String> running = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String lane : SyncPlan.lanes(group)) {
            boolean skip = lane == null ? !inactive.isEmpty() : sourceInactive || inactive.contains(lane);
            (skip ? skipped : running).add(lane);
        }
        return new Lanes(running, skipped, inactive);
    }

    /** The databases that make this sync skip lanes, for a message: empty when it runs every lane. */
    public List<String> holding() {
        return skipped.isEmpty() ? List.of() : inactiveDbs;
    }
}
