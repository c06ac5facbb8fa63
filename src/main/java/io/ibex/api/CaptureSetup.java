package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.capture.CaptureInstaller;
import io.ibex.capture.SourceSession;
import io.ibex.db.Pg;
import io.ibex.engine.SyncPlan;
import io.ibex.engine.SyncPlanner;
import io.ibex.repository.Database;
import io.ibex.repository.Repository;
import io.ibex.repository.Role;
import io.ibex.repository.Sync;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static io.ibex.api.Ibex.APP;

/**
 * Capture installed for a sync, and the initial position of each of its receivers: the one place the commands
 * (add sync, add table to a replicated relgroup, update, activate) install triggers and write positions.
 */
final class CaptureSetup {
    private CaptureSetup() {
    }

    /**
     * Installs capture on the sync's source, then records where each target starts: the source's snapshot just
     * after the triggers were committed. Runs inside the caller's repository transaction. The targets are checked
     * once the sync is active (an inactive one is checked again at its activation). Returns the sources on which
     * capture was newly installed on some table.
     */
    static List<String> installCapture(Repository repo, Sync sync) {
        SyncPlan plan = SyncPlanner.plan(repo, sync);
        if (sync.active()) {
            SyncPlanner.checkTargets(plan);
        }
        List<String> done = new ArrayList<>();
        List<String> receivers = new ArrayList<>(plan.sources().stream().map(Database::name).toList());
        plan.targets().stream().filter(m -> m.role() == Role.TARGET).forEach(m -> receivers.add(m.db().name()));
        if (receivers.size() < 2) {
            return done; // fullcopy targets get whole tables on each kick: nothing to capture
        }
        for (Database source : plan.sources()) {
            try (Connection c = source.connection().openOrFail(APP, "source database \"" + source.name() + "\"")) {
                c.setAutoCommit(false);
                boolean installed = false;
                for (SyncPlan.Table t : plan.tables()) {
                    boolean makedelta = source.makedelta() || Boolean.TRUE.equals(t.relation().makedelta());
                    installed |= CaptureInstaller.install(c, t.info(), makedelta);
                }
                c.commit();
                c.setAutoCommit(true);
                String snapshot = SourceSession.currentSnapshot(c).text();
                SourceSession.makeDurable(c);
                for (String receiver : receivers) {
                    if (!receiver.equals(source.name()) && repo.position(sync.name(), source.name(), receiver).isEmpty()) {
                        repo.savePosition(sync.name(), source.name(), receiver, snapshot);
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
