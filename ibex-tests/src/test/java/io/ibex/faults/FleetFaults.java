package io.ibex.faults;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.DaemonProc;
import io.ibex.testkit.Fleet;
import io.ibex.testkit.Waits;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The faults of a fleet that a run injects into a {@link FleetRig} under load, each followed by what must hold: the
 * sync has an owner again (another daemon, but for a repository restart), a daemon that lost its lease without
 * knowing it stands down and has written nothing on the target after the takeover, and every daemon runs again.
 */
final class FleetFaults {

    enum Fault {
        /** the owner SIGKILLed (started again after the takeover) */
        SIGKILL_OWNER,
        /** the owner SIGSTOPped until another daemon took its lease, then SIGCONTinued */
        SIGSTOP_OWNER,
        /** the owner's repository connections cut (reset, new ones blackholed) until another daemon took its lease, then healed */
        CUT_OWNER_REPOSITORY,
        /** the repository's server crashed (immediate stop) and started again 1 s later */
        RESTART_REPOSITORY
    }

    /** One fault: the owner before, the owner after, and how long after the fault the sync had an owner again. */
    record Outcome(Fault fault, String before, String after, Duration takeover, Instant faultAt) {
    }

    private final FleetRig rig;
    private final PostgresServer repoServer;
    private final int leaseSeconds;
    /** A SIGKILLed daemon being started again while the run converges (a JVM start is slow on a busy machine). */
    private Thread restart;
    private final AtomicReference<Throwable> restartError = new AtomicReference<>();

    FleetFaults(FleetRig rig, PostgresServer repoServer, int leaseSeconds) {
        this.rig = rig;
        this.repoServer = repoServer;
        this.leaseSeconds = leaseSeconds;
    }

    /** Injects the fault, waits until the sync has an owner again and the fleet is whole, and checks the fencing. */
    Outcome inject(Fault fault) throws Exception {
        awaitWhole();
        rig.audit.forgetPorts(); // ports of earlier runs, used again since by another daemon, would name no one
        Fleet fleet = rig.fleet;
        Duration timeout = Duration.ofSeconds(4L * leaseSeconds + 30);
        Fleet.Lease before = fleet.awaitOwner(FleetRig.SYNC, Duration.ofSeconds(60));
        DaemonProc owner = fleet.daemon(before.owner());
        int standDowns = standDowns(owner);
        long at = System.nanoTime();
        Instant faultAt = Instant.now();
        Fleet.Takeover t;
        switch (fault) {
            case SIGKILL_OWNER -> {
                owner.kill();
                t = fleet.awaitTakeover(FleetRig.SYNC, before, at, timeout);
                restart = new Thread(() -> {
                    try {
                        Fleet.start(owner);
                    } catch (Throwable e) {
                        restartError.set(e);
                    }
                }, "restart-" + owner.name());
                restart.start();
            }
            case SIGSTOP_OWNER -> {
                owner.freeze();
                t = fleet.awaitTakeover(FleetRig.SYNC, before, at, timeout);
                owner.thaw();
                awaitStandDown(owner, standDowns);
            }
            case CUT_OWNER_REPOSITORY -> {
                fleet.proxy(owner.name()).cut();
                t = fleet.awaitTakeover(FleetRig.SYNC, before, at, timeout);
                fleet.proxy(owner.name()).heal();
                awaitStandDown(owner, standDowns);
            }
            default -> {
                repoServer.stopImmediately();
                Thread.sleep(1000);
                Instant startCalled = Instant.now();
                repoServer.start();
                // renewed or taken after the restart: an expiry later than any renewal made before the crash
                t = fleet.awaitLease(FleetRig.SYNC, l -> l.owner() != null && l.expires().isAfter(startCalled.plusSeconds(leaseSeconds)), at,
                        timeout, "an owner of sync bank after the repository restarted");
            }
        }
        assertThat(fleet.daemons().stream().filter(d -> d != owner || fault != Fault.SIGKILL_OWNER))
                .as("every daemon runs after %s", fault).allMatch(DaemonProc::alive);
        return new Outcome(fault, before.owner(), t.lease().owner(), t.after(), faultAt);
    }

    /** Waits until a daemon SIGKILLed by the last fault runs again. */
    void awaitWhole() throws InterruptedException {
        if (restart != null) {
            restart.join();
            restart = null;
            Throwable e = restartError.getAndSet(null);
            if (e != null) {
                throw new AssertionError("a SIGKILLed daemon did not start again: " + e.getMessage(), e);
            }
            assertThat(rig.fleet.daemons()).as("every daemon runs again").allMatch(DaemonProc::alive);
        }
    }

    /** How often the daemon's log says it stopped the sync because its lease was lost or not renewed. */
    static int standDowns(DaemonProc d) {
        String log = d.log();
        return count(log, "MCP Lost the lease of sync bank") + count(log, "MCP Sync bank stopped here: its lease is not renewed");
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static void awaitStandDown(DaemonProc d, int before) throws InterruptedException {
        Waits.await(Duration.ofSeconds(30), "daemon " + d.name() + " to say it stopped sync bank", () -> standDowns(d) > before);
    }

    /**
     * After the run converged (so that the new owner has written): a daemon that lost its lease without knowing it
     * (frozen, cut off) wrote nothing on the target once the new owner had started writing.
     */
    void assertFenced(Outcome o) throws Exception {
        if (o.fault() == Fault.SIGSTOP_OWNER || o.fault() == Fault.CUT_OWNER_REPOSITORY) {
            assertThat(rig.audit.writesByOldAfterNewOwnerStarted(o.before(), o.after(), o.faultAt()))
                    .as("writes on the target by %s after %s started writing (%s)", o.before(), o.after(), o.fault()).isEmpty();
        }
    }

    /** p50 and max of the takeover times of each fault, as the lines of a table. */
    static List<String> summary(List<Outcome> outcomes) {
        Map<Fault, List<Duration>> by = new TreeMap<>();
        outcomes.forEach(o -> by.computeIfAbsent(o.fault(), f -> new ArrayList<>()).add(o.takeover()));
        List<String> lines = new ArrayList<>();
        by.forEach((f, ds) -> {
            ds.sort(Comparator.naturalOrder());
            lines.add(String.format("%-22s runs %3d  p50 %6.1f s  max %6.1f s", f, ds.size(), ds.get((ds.size() - 1) / 2).toMillis() / 1000.0,
                    ds.get(ds.size() - 1).toMillis() / 1000.0));
        });
        return lines;
    }
}
