package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.repository.Repository;
import io.ibex.model.Role;
import io.ibex.model.Sync;
import io.ibex.spi.ChangeSource;
import io.ibex.spi.ChangeSources;
import io.ibex.spi.Position;
import io.ibex.spi.PositionStore;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Installs a sync's capture on its sources and records where each of its consumers starts (add sync, add table, activate). */
public final class CaptureSetup {

    private static final String APP = "ibex-cli";

    private CaptureSetup() {
    }

    /**
     * Installs capture on the sync's sources, then records where each receiving database starts: the source's
     * position just after the capture was committed. Runs inside the caller's repository transaction. The targets
     * are checked once the sync is active (an inactive one is checked again at its activation). Returns the
     * sources on which capture was newly installed on some table.
     */
    public static List<String> install(Repository repo, Sync sync) {
        SyncPlan plan = SyncPlanner.plan(repo, sync);
        if (sync.active()) {
            SyncPlanner.checkTargets(repo, plan);
        }
        List<String> done = new ArrayList<>();
        List<String> receivers = new ArrayList<>(plan.sources().stream().map(Database::name).toList());
        plan.targets().stream().filter(m -> m.role() == Role.TARGET).forEach(m -> receivers.add(m.db().name()));
        if (receivers.size() < 2) {
            return done; // fullcopy targets get whole tables on each kick: nothing to capture
        }
        PositionStore positions = new RepositoryPositions(repo);
        for (Database source : plan.sources()) {
            ChangeSource capture = ChangeSources.of(source);
            try (Connection c = source.connection().openOrFail(APP, "source database \"" + source.name() + "\"")) {
                c.setAutoCommit(false);
                boolean installed = false;
                for (SyncPlan.Table t : plan.tables()) {
                    boolean makedelta = source.makedelta() || Boolean.TRUE.equals(t.relation().makedelta());
                    installed |= capture.install(c, t.info(), makedelta);
                }
                c.commit();
                c.setAutoCommit(true);
                Position start = capture.now(c);
                for (String receiver : receivers) {
                    if (!receiver.equals(source.name()) && positions.position(sync.name(), source.name(), receiver).isEmpty()) {
                        positions.save(sync.name(), source.name(), receiver, start);
                    }
                }
                if (installed) {
                    done.add(source.name());
                }
            } catch (SQLException e) {
                throw new IbexException("cannot install capture on database \"" + source.name() + "\": " + Pg.firstLine(e));
            }
        }
        return done;
    }
}
