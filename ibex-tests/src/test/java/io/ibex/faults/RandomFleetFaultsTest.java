package io.ibex.faults;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Randomized faults of a fleet of two daemons under a TPC-B-like load: each run picks one of {@link FleetFaults.Fault}
 * (the owner SIGKILLed; SIGSTOPped past its lease, then continued; its repository connections cut, then healed; the
 * repository restarted), waits for the sync to have an owner again, then stops the load and checks that every table
 * is identical by row count and content hash and that {@code ibex verify} is clean; the next run starts the load
 * again. Seeded: the seed is printed, {@code -Dfleet.seed=} reruns it. lease_seconds = 3 keeps the runs short.
 */
@ExtendWith(ServersPerClass.class)
class RandomFleetFaultsTest {

    @Server("17") static PostgresServer sourceServer;
    @Server("17") static PostgresServer targetServer;
    @Server("17") static PostgresServer repoServer;

    static final int LEASE = 3;

    @Test
    void tenRandomFaultsUnderLoad() throws Exception {
        runs(10);
    }

    @Test
    @Tag("slow")
    void aHundredRandomFaultsUnderLoad() throws Exception {
        runs(Integer.getInteger("fleet.runs", 100));
    }

    private void runs(int count) throws Exception {
        long seed = Long.getLong("fleet.seed", System.currentTimeMillis());
        System.out.println("RandomFleetFaultsTest: " + count + " runs, seed " + seed + " (rerun with -Dfleet.seed=" + seed + ")");
        Random rnd = new Random(seed);
        long started = System.nanoTime();
        List<FleetFaults.Outcome> outcomes = new ArrayList<>();
        try (FleetRig rig = new FleetRig(sourceServer, targetServer, repoServer, List.of("alpha", "beta"), LEASE)) {
            FleetFaults faults = new FleetFaults(rig, repoServer, LEASE);
            for (int i = 1; i <= count; i++) {
                FleetFaults.Fault fault = FleetFaults.Fault.values()[rnd.nextInt(FleetFaults.Fault.values().length)];
                long runStart = System.nanoTime();
                rig.load(rnd.nextLong());
                Thread.sleep(300 + rnd.nextInt(1200));
                FleetFaults.Outcome o = faults.inject(fault);
                Thread.sleep(rnd.nextInt(1000));
                Duration converged = rig.converge(Duration.ofSeconds(120));
                faults.assertFenced(o);
                outcomes.add(o);
                System.out.printf("run %d/%d (seed %d): %s; sync bank from %s to %s in %d ms; converged %d ms after the load stopped;"
                                + " run took %d ms%n", i, count, seed, fault, o.before(), o.after(), o.takeover().toMillis(), converged.toMillis(),
                        (System.nanoTime() - runStart) / 1_000_000);
            }
            faults.awaitWhole();
        }
        System.out.printf("RandomFleetFaultsTest: %d runs (seed %d, lease_seconds %d) in %d s; takeover times:%n", count, seed, LEASE,
                (System.nanoTime() - started) / 1_000_000_000);
        FleetFaults.summary(outcomes).forEach(l -> System.out.println("  " + l));
    }
}
