package io.ibex.api;

import io.ibex.api.Ibex.Validation;
import io.ibex.api.Ibex.Verification;
import io.ibex.api.Ibex.VerifyProgress;
import io.ibex.engine.SyncPlan;
import io.ibex.engine.SyncPlanner;
import io.ibex.repository.Repository;

import java.util.List;
import java.util.function.Supplier;

/** {@code ibex validate}, the empty-target warnings and {@code ibex verify}: a sync checked against its databases. */
final class SyncChecks extends RepositoryCommand {
    SyncChecks(Supplier<Repository> repositories) {
        super(repositories);
    }

    /** Checks a sync exactly as the daemon does when it starts it; throws why not. */
    Validation validate(String syncName) {
        try (Repository repo = openRepository()) {
            SyncPlan plan = SyncPlanner.plan(repo, repo.requireSync(syncName));
            return new Validation(plan, SyncPlanner.checkTargets(repo, plan));
        }
    }

    /**
     * One line per target table of the sync that is empty (or far smaller by the planner's estimates) while its
     * source table is not, on a sync with onetimecopy=0: only changes would ever reach it.
     */
    List<String> emptyTargetWarnings(String syncName) {
        try (Repository repo = openRepository()) {
            return EmptyTargets.warnings(repo, repo.requireSync(syncName));
        }
    }

    /**
     * {@code ibex verify SYNC [TABLE ...]}: every table (or those named) compared between the source and each
     * other database, by key ranges, naming up to maxKeys differing keys per table.
     */
    Verification verify(String syncName, List<String> tables, int maxKeys, VerifyProgress progress) {
        SyncPlan plan;
        List<io.ibex.model.CustomColumns> customColumns;
        try (Repository repo = openRepository()) {
            plan = SyncPlanner.plan(repo, repo.requireSync(syncName));
            customColumns = repo.customColumns().list();
        }
        return Verifier.verify(plan, customColumns, tables, maxKeys, progress::update);
    }
}
