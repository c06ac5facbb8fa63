package io.ibex.api;

import io.ibex.engine.Lanes;
import io.ibex.repository.Repository;
import io.ibex.model.SyncRun;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * How {@code ibex kick} waits: the kick carries a ticket, each run that takes it records the ticket, and the kick is
 * answered by those runs alone (one per lane the daemon runs), never by a run that began before it. The lanes that
 * an inactive database holds are skipped, and said so.
 */
final class Kicks {
    private Kicks() {
    }

    static Ibex.KickResult await(Repository repo, Ibex.Kick kick, Duration timeout, Consumer<Duration> tick) {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        long start = System.nanoTime();
        while (true) {
            // read each time: a lane whose database turns inactive meanwhile is not waited for
            Lanes lanes = Lanes.of(repo.requireDbGroup(repo.requireSync(kick.sync()).dbgroup()), n -> repo.database(n).orElse(null));
            List<SyncRun> runs = repo.runs().runsAnswering(kick.sync(), kick.ticket());
            repo.commit();
            if (runs.size() >= lanes.running().size()) {
                return result(runs, lanes);
            }
            if (System.nanoTime() >= deadline) {
                return new Ibex.KickResult(Ibex.KickOutcome.TIMEOUT, List.of(), lanes.holding());
            }
            tick.accept(Duration.ofNanos(System.nanoTime() - start));
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Ibex.KickResult(Ibex.KickOutcome.TIMEOUT, List.of(), lanes.holding());
            }
        }
    }

    private static Ibex.KickResult result(List<SyncRun> runs, Lanes lanes) {
        List<String> errors = new ArrayList<>();
        for (SyncRun r : runs) {
            if ("bad".equals(r.outcome())) {
                String where = r.target() == null ? "" : r.target() + ": ";
                errors.add(where + (r.error() == null || r.error().isBlank() ? "failed (no message recorded)" : r.error()));
            }
        }
        return new Ibex.KickResult(errors.isEmpty() ? Ibex.KickOutcome.DONE : Ibex.KickOutcome.FAILED, errors, lanes.holding());
    }

    /** A kick's ticket goes with its notification: "TICKET SYNC" (see Daemon). */
    static String payload(long ticket, String sync) {
        return ticket + " " + sync;
    }

    static Ibex.Kick of(String sync, long ticket, OffsetDateTime at) {
        return new Ibex.Kick(sync, ticket, at);
    }
}
