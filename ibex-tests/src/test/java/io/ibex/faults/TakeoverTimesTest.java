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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The figures of BENCHMARKS.md, "Several daemons": how long after each fault another daemon runs the sync, at the
 * DEFAULT settings (lease_seconds 15), two daemons under a TPC-B-like load, {@code -Dfleet.figureRuns=} runs of each
 * fault (default 5), each ending converged and verified. Prints p50 and max of each fault; every takeover must be
 * within the 30 s the issue asks.
 */
@ExtendWith(ServersPerClass.class)
@Tag("slow")
class TakeoverTimesTest {

    @Server("17") static PostgresServer sourceServer;
    @Server("17") static PostgresServer targetServer;
    @Server("17") static PostgresServer repoServer;

    @Test
    void takeoverTimesAtTheDefaultLease() throws Exception {
        int runs = Integer.getInteger("fleet.figureRuns", 5);
        List<FleetFaults.Outcome> outcomes = new ArrayList<>();
        try (FleetRig rig = new FleetRig(sourceServer, targetServer, repoServer, List.of("alpha", "beta"), 0)) {
            FleetFaults faults = new FleetFaults(rig, repoServer, 15);
            for (int i = 0; i < runs; i++) {
                for (FleetFaults.Fault fault : FleetFaults.Fault.values()) {
                    rig.load(i);
                    Thread.sleep(2000);
                    FleetFaults.Outcome o = faults.inject(fault);
                    Duration converged = rig.converge(Duration.ofSeconds(120));
                    faults.assertFenced(o);
                    outcomes.add(o);
                    System.out.printf("figure run %d: %s; sync bank from %s to %s in %d ms; converged %d ms after the load stopped%n", i + 1,
                            fault, o.before(), o.after(), o.takeover().toMillis(), converged.toMillis());
                }
            }
            faults.awaitWhole();
        }
        System.out.println("TakeoverTimesTest: lease_seconds 15 (default), time from the fault until a daemon holds the lease again:");
        FleetFaults.summary(outcomes).forEach(l -> System.out.println("  " + l));
        assertThat(outcomes).allSatisfy(o -> assertThat(o.takeover()).as("%s", o).isLessThan(Duration.ofSeconds(30)));
    }
}
