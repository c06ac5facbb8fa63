package io.ibex.faults;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.model.DaemonInfo;
import io.ibex.testkit.DaemonProc;
import io.ibex.testkit.Fleet;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two daemons on one repository, sync "bank" under a TPC-B-like load, and the network faults between a daemon and
 * the repository: the owner's repository connections cut while its source and target connections stay up (the
 * other daemon takes over, the cut one stands down and writes nothing on the target after the takeover), and the
 * repository restarted (both daemons come back, one runs the sync). Each ends with every table identical by row
 * count and content hash, and {@code ibex verify} clean. lease_seconds = 3 keeps the fast tier fast.
 */
@ExtendWith(ServersPerClass.class)
class FleetFaultTest {

    @Server("17") static PostgresServer sourceServer;
    @Server("17") static PostgresServer targetServer;
    @Server("17") static PostgresServer repoServer;

    static final int LEASE = 3;
    /** One rig for both tests: a fleet's set-up (two daemon JVMs, an initial copy) is most of a test's time. */
    static FleetRig rig;

    static synchronized FleetRig rig() throws Exception {
        if (rig == null) {
            rig = new FleetRig(sourceServer, targetServer, repoServer, List.of("alpha", "beta"), LEASE);
        }
        return rig;
    }

    @AfterAll
    static void closeRig() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void theOwnerCutOffFromTheRepositoryStandsDownAndTheOtherTakesOver() throws Exception {
        FleetRig rig = rig();
        Fleet.Lease before = rig.fleet.awaitOwner(FleetRig.SYNC, Duration.ofSeconds(60));
        rig.load(22);
        Thread.sleep(1000);

        DaemonProc cut = rig.fleet.daemon(before.owner());
        int standDowns = FleetFaults.standDowns(cut);
        Instant cutInstant = Instant.now();
        rig.fleet.proxy(before.owner()).cut();
        long cutAt = System.nanoTime();
        Fleet.Takeover t = rig.fleet.awaitTakeover(FleetRig.SYNC, before, cutAt, Duration.ofSeconds(30));
        // cut off for a lease and a second more: whatever the cut daemon still has in flight must not reach the target
        Thread.sleep((LEASE + 1) * 1000);
        rig.fleet.proxy(before.owner()).heal();
        // back in touch, it learns it lost the lease (if its own clock had not stopped the sync already)
        Waits.await(Duration.ofSeconds(30), before.owner() + " to stand down", () -> FleetFaults.standDowns(cut) > standDowns);

        Duration converged = rig.converge(Duration.ofSeconds(90));
        assertThat(rig.audit.writesByOldAfterNewOwnerStarted(before.owner(), t.lease().owner(), cutInstant))
                .as("writes on the target by the cut-off daemon after the new owner started writing").isEmpty();
        assertThat(rig.audit.writesBy(before.owner(), Instant.EPOCH)).as("writes by the first owner before the cut (the audit sees it)")
                .isNotEmpty();
        assertThat(rig.fleet.lease(FleetRig.SYNC).owner()).as("the owner after the heal").isEqualTo(t.lease().owner());
        assertThat(cut.alive()).as("the cut-off daemon goes on running").isTrue();
        System.out.printf("faults: %s's repository connections cut; %s took sync bank over %d ms after the cut (lease %d s);"
                        + " %d transactions; converged %d ms after the load stopped%n", before.owner(), t.lease().owner(), t.after().toMillis(),
                LEASE, rig.transactions(), converged.toMillis());
    }

    @Test
    void afterTheRepositoryRestartsBothDaemonsReconnectAndOneRunsTheSync() throws Exception {
        FleetRig rig = rig();
        rig.fleet.awaitOwner(FleetRig.SYNC, Duration.ofSeconds(60));
        rig.load(23);
        Thread.sleep(1000);

        repoServer.stopImmediately();
        long down = System.nanoTime();
        Thread.sleep(2000);
        Instant startCalled = Instant.now();
        repoServer.start();
        // renewed or taken after the restart: an expiry later than any renewal made before the crash
        Fleet.Takeover back = rig.fleet.awaitLease(FleetRig.SYNC, l -> l.owner() != null && l.expires().isAfter(startCalled.plusSeconds(LEASE)),
                down, Duration.ofSeconds(60), "an owner of sync bank after the restart");
        Ibex ibex = new Ibex(rig.repo.spec());
        Waits.await(Duration.ofSeconds(60), "both daemons running again", Waits.quietly(() ->
                ibex.daemons().stream().filter(d -> d.state() == DaemonInfo.State.RUNNING).count() == 2));
        assertThat(rig.fleet.daemons()).allMatch(DaemonProc::alive);
        Thread.sleep(1000);

        Duration converged = rig.converge(Duration.ofSeconds(90));
        assertThat(rig.fleet.lease(FleetRig.SYNC).owner()).as("one daemon runs the sync").isNotNull();
        System.out.printf("faults: repository crashed and restarted (down 2 s); sync bank run by %s again %d ms after the crash;"
                        + " %d transactions; converged %d ms after the load stopped%n", back.lease().owner(), back.after().toMillis(),
                rig.transactions(), converged.toMillis());
    }
}
