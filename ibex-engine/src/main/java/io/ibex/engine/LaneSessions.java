package io.ibex.engine;

import io.ibex.db.Pg;
import io.ibex.model.Database;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The sessions of a lane's databases that custom code is handed (see {@link io.ibex.spi.CustomCodeContext#databases()}). */
final class LaneSessions {

    private LaneSessions() {
    }

    /** The sessions custom code is given: the lane's targets (every database with several sources), and its source. */
    static Map<String, Connection> of(SyncRunner runner, SyncPlan plan, String lane, boolean withSources) {
        Map<String, Connection> out = new LinkedHashMap<>();
        if (withSources) {
            plan.sources().forEach(s -> out.put(s.name(), runner.source(s)));
        }
        List<Database> dbs = new ArrayList<>(plan.sources().size() > 1 ? plan.sources() : List.of());
        plan.targets().stream().map(SyncPlan.Member::db).filter(d -> lane == null || lane.equals(d.name())).forEach(dbs::add);
        dbs.forEach(d -> runner.target(plan, d).session().ifPresent(c -> out.put(d.name(), c)));
        return out;
    }

    /** After a failed batch: every open session of the lane rolled back, ready for exception custom code. */
    static void rollback(SyncRunner runner, SyncPlan plan, String lane) {
        plan.sources().forEach(s -> Pg.rollbackQuietly(runner.source(s)));
        plan.targets().stream().map(SyncPlan.Member::db).filter(d -> lane == null || lane.equals(d.name()))
                .forEach(d -> runner.target(plan, d).rollback());
        if (plan.sources().size() > 1) {
            plan.sources().forEach(d -> runner.target(plan, d).rollback());
        }
    }
}
