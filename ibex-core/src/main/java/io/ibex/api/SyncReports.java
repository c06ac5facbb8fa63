package io.ibex.api;

import io.ibex.repository.Conflict;
import io.ibex.repository.CopyProgress;
import io.ibex.repository.Repository;
import io.ibex.model.Sync;
import io.ibex.model.SyncRun;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** {@code ibex status}, {@code conflicts} and the copy progress: what the repository records of the syncs' runs. */
final class SyncReports extends RepositoryCommand {
    SyncReports(Supplier<Repository> repositories) {
        super(repositories);
    }

    List<SyncStatus> status() {
        try (Repository repo = openRepository()) {
            List<SyncStatus> out = new ArrayList<>();
            for (Sync s : repo.syncs()) {
                out.add(SyncStatus.of(repo, s));
            }
            return out;
        }
    }

    SyncStatus status(String sync) {
        try (Repository repo = openRepository()) {
            return SyncStatus.of(repo, repo.requireSync(sync));
        }
    }

    List<Conflict> conflicts(String sync, int limit) {
        try (Repository repo = openRepository()) {
            if (sync != null) {
                repo.requireSync(sync);
            }
            return repo.conflictLog().conflicts(sync, limit);
        }
    }

    /** Progress of the full copies of a sync (onetimecopy, fullcopy): rows copied of rows estimated, per table and target. */
    List<CopyProgress> copyProgress(String syncName) {
        try (Repository repo = openRepository()) {
            repo.requireSync(syncName);
            return repo.copyProgressLog().copyProgress(syncName);
        }
    }

    Optional<SyncRun> lastRun(String syncName) {
        try (Repository repo = openRepository()) {
            return repo.runs().lastRun(syncName);
        }
    }
}
