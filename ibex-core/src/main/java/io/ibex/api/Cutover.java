package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.api.Ibex.CutoverReport;
import io.ibex.api.Ibex.Kick;
import io.ibex.api.Ibex.KickOutcome;
import io.ibex.api.Ibex.Verification;
import io.ibex.api.Ibex.VerifyProgress;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** {@code ibex cutover}: the steps of the facade's commands that make a target ready to take the writes. */
final class Cutover {
    private final Ibex ibex;

    Cutover(Ibex ibex) {
        this.ibex = ibex;
    }

    /**
     * {@code ibex cutover SYNC}: once the application has stopped writing to the source, waits until every target
     * has every change (backlog zero, runs good), runs the sync once more so that sequences are copied, then
     * verifies every table. Ready means the targets can take the writes.
     */
    CutoverReport cutover(String syncName, Duration timeout, Consumer<String> progress, VerifyProgress verifyProgress) {
        if (!ibex.daemonRunning()) {
            throw new IbexException("the ibex daemon is not running: run 'ibex start' first");
        }
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        SyncStatus status;
        while (true) {
            Kick at = ibex.kick(syncName);
            KickOutcome outcome = ibex.awaitRun(syncName, at, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), d -> { });
            status = ibex.status(syncName);
            long backlog = status.backlog().values().stream().mapToLong(Long::longValue).sum();
            progress.accept("backlog: " + backlog + " change(s) " + status.backlog() + ", last run " + outcome);
            if (outcome == KickOutcome.DONE && backlog == 0 && status.backlogError() == null) {
                break;
            }
            if (System.nanoTime() > deadline) {
                return new CutoverReport(false, Duration.ofNanos(System.nanoTime() - start), status.backlog(), null);
            }
        }
        Kick at = ibex.kick(syncName); // one more run: sequences and anything committed meanwhile
        ibex.awaitRun(syncName, at, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), d -> { });
        progress.accept("verifying every table");
        Verification v = ibex.verify(syncName, List.of(), 100, verifyProgress);
        return new CutoverReport(v.identical(), Duration.ofNanos(System.nanoTime() - start), status.backlog(), v);
    }
}
