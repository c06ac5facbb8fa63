package io.ibex.it.othertargets;

import io.ibex.api.Ibex;

import java.time.Duration;
import java.util.List;

/** Waits for a sync's targets to hold the source's values, as {@code ibex verify} compares them. */
final class OtherTargets {
    private OtherTargets() {
    }

    /** Kicks the sync and verifies until every table is identical on every target; fails with the last verification. */
    static Ibex.Verification awaitVerified(Ibex ibex, String sync, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Ibex.Verification last = null;
        while (System.nanoTime() < deadline) {
            ibex.awaitRun(sync, ibex.kick(sync), Duration.ofSeconds(30), d -> { });
            last = ibex.verify(sync, List.of(), 10, (t, target, done, total) -> { });
            if (last.identical()) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not identical after " + timeout + ": " + last);
    }
}
