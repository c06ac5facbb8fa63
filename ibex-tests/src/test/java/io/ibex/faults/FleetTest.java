package io.ibex.faults;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.model.DaemonInfo;
import io.ibex.repository.Leases;
import io.ibex.testkit.Bank;
import io.ibex.testkit.CommandLine;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.DaemonProc;
import io.ibex.testkit.FrozenReader;
import io.ibex.testkit.Db;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.PrivateClasspath;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import io.ibex.workload.Pgbench;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several daemons on one repository (issue 22), as real processes, under a pgbench-like load on the source: four syncs
 * spread over three daemons; the owner of a sync SIGKILLed (another takes it within 30 s with the default lease);
 * the owner SIGSTOPped with a batch read but not applied, longer than its lease, then continued (it stands down and
 * writes nothing: a row written after the takeover keeps its newer image); pinning; stopping one daemon, then all.
 * Every phase ends with every table identical on source and target (row counts and content hashes) and 'ibex verify'
 * clean.
 */
@ExtendWith(ServersPerClass.class)
class FleetTest {

    @Server("17") static PostgresServer server;

    static final List<String> SYNCS = List.of("bank", "s1", "s2", "s3");
    static final List<String> TABLES = List.of("public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers",
            "public.t1", "public.t2", "public.t3", "public.mark");
    static final int MARKS = 10;

    Db src;
    Db dst;
    Db repo;
    Ibex ibex;
    CommandLine shell;
    final Map<String, DaemonProc> daemons = new HashMap<>();

    @Test
    void aFleetOfThreeDaemonsSpreadsTheSyncsTakesOverFromAKilledOrFrozenOwnerAndNeverAppliesAStaleBatch() throws Exception {
        long started = System.nanoTime();
        setUp();
        Pgbench.Load load = null;
        Writer writer = null;
        try {
            // a short lease where the point is not the default, so that the class stays fast; a purge every second, so
            // that purges run through every takeover (the new owner must find every change it still needs)
            shell.ok("set", "lease_seconds=5", "purge_interval=1");
            for (String n : List.of("alpha", "beta", "gamma")) {
                DaemonProc d = new DaemonProc(repo, Files.createTempDirectory("ibex-fleettest-" + n), n);
                daemons.put(n, d);
                start(d);
                System.out.println("fleet: daemon " + n + " started after " + seconds(started) + " s");
            }
            load = new Pgbench.Load(server.connectionSupplier(src.name()), 2).rate(60).seed(7).start();
            writer = new Writer(src);

            // (a) every sync run by exactly one daemon, spread over the three; status says who runs what
            Waits.await(Duration.ofSeconds(60), "the four syncs spread over the three daemons", Waits.quietly(() -> {
                Map<String, String> o = owners();
                return o.size() == SYNCS.size() && o.values().stream().distinct().count() == 3
                        && counts(o).values().stream().allMatch(n -> n <= 2);
            }));
            Map<String, String> spread = owners();
            Waits.await(Duration.ofSeconds(20), "status naming each sync's daemon and the daemons' heartbeats", Waits.quietly(() -> {
                String status = shell.ok("status");
                return SYNCS.stream().allMatch(s -> status.contains("Sync " + s + ": runs on daemon " + owners().get(s) + " (lease epoch "))
                        && daemons.values().stream().allMatch(d -> status.contains("Daemon " + d.name() + ": pid " + d.pid()))
                        && status.contains("heartbeat");
            }));
            System.out.println("fleet: spread " + spread + " after " + seconds(started) + " s");

            // (b) the owner of the loaded sync SIGKILLed, default lease_seconds: another daemon takes it within 30 s
            shell.ok("set", "lease_seconds=15");
            Waits.await(Duration.ofSeconds(20), "leases renewed for 15 s", Waits.quietly(() ->
                    ibex.leases().stream().filter(Leases.Lease::held).allMatch(l -> l.expiresIn().toMillis() > 10_000)));
            String victim = owners().get("bank");
            long killed = System.nanoTime();
            daemons.get(victim).kill();
            String[] heir = new String[1];
            Waits.await(Duration.ofSeconds(45), "another daemon runs bank", Waits.quietly(() -> {
                heir[0] = owners().get("bank");
                return heir[0] != null && !victim.equals(heir[0]);
            }));
            long takeoverMs = Duration.ofNanos(System.nanoTime() - killed).toMillis();
            System.out.printf("fleet: SIGKILL of %s: sync bank taken over by %s after %d ms (lease_seconds=15)%n", victim, heir[0], takeoverMs);
            assertThat(takeoverMs).as("takeover after SIGKILL with the default lease").isLessThan(30_000);
            Waits.await(Duration.ofSeconds(30), "every sync run by a live daemon", Waits.quietly(() ->
                    owners().size() == SYNCS.size() && !owners().containsValue(victim)));
            String victimLog = daemons.remove(victim).log();

            // (c) the owner of s1 frozen with a batch read from the source and not applied, longer than its lease
            shell.ok("set", "lease_seconds=5");
            Waits.await(Duration.ofSeconds(20), "leases renewed for 5 s", Waits.quietly(() ->
                    ibex.leases().stream().filter(Leases.Lease::held).allMatch(l -> l.expiresIn().toMillis() <= 5_500)));
            frozenOwnerStandsDownWithoutWriting();
            load.stop();
            writer.stop();
            convergeAndVerify("after the SIGKILL and the SIGSTOP");

            // (d) pinning moves a sync to its daemon
            String from = owners().get("s2");
            String pinTo = daemons.keySet().stream().filter(n -> !n.equals(from)).findFirst().orElseThrow();
            shell.ok("update", "sync", "s2", "daemon=" + pinTo);
            Waits.await(Duration.ofSeconds(20), "s2 moved to " + pinTo, Waits.quietly(() -> pinTo.equals(owners().get("s2"))
                    && shell.ok("status").contains("Sync s2: runs on daemon " + pinTo + " (lease epoch ")));
            assertThat(shell.ok("status")).contains("pinned to " + pinTo);

            // (e) one daemon stopped: only it, and its syncs move; a sync pinned to it waits, unpinned it runs again
            String stopped = daemons.keySet().stream().filter(n -> !n.equals(pinTo)).findFirst().orElseThrow();
            assertThat(shell.ok("stop", "daemon=" + stopped)).contains("ibex stopped");
            Waits.await(Duration.ofSeconds(30), stopped + " gone", () -> !daemons.get(stopped).alive());
            assertThat(daemons.values().stream().filter(d -> !d.name().equals(stopped))).allMatch(DaemonProc::alive);
            Waits.await(Duration.ofSeconds(20), "every sync on the daemon left", Waits.quietly(() ->
                    owners().size() == SYNCS.size() && !owners().containsValue(stopped)));
            shell.ok("update", "sync", "s3", "daemon=" + stopped);
            Waits.await(Duration.ofSeconds(20), "s3 waiting for " + stopped, Waits.quietly(() -> shell.ok("status")
                    .contains("Sync s3: waits: pinned to daemon " + stopped + ", which is not running")));
            src.exec("UPDATE t3 SET v = v + 1000");
            Thread.sleep(1500);
            assertThat(dst.queryLong("SELECT count(*) FROM t3 WHERE v >= 1000")).as("nothing runs s3 while it waits").isZero();
            shell.ok("update", "sync", "s3", "daemon=");
            Waits.await(Duration.ofSeconds(20), "s3 runs again", Waits.quietly(() -> owners().get("s3") != null));
            convergeAndVerify("after stop daemon=" + stopped);

            // ibex stop: every daemon of the repository
            assertThat(shell.ok("stop")).contains("ibex stopped");
            Waits.await(Duration.ofSeconds(30), "every daemon gone", () -> daemons.values().stream().noneMatch(DaemonProc::alive));
            assertThat(shell.ok("status")).startsWith("ibex is not running\n");
            String logs = victimLog + daemons.values().stream().map(DaemonProc::log).collect(Collectors.joining());
            assertThat(logs).as("purges ran meanwhile").contains("VAC Purged");
            System.out.printf("fleet: test took %d s%n", seconds(started));
        } finally {
            for (DaemonProc d : daemons.values()) {
                if (d.pid() > 0) {
                    new ProcessBuilder("kill", "-CONT", String.valueOf(d.pid())).start().waitFor();
                }
                try {
                    d.stop();
                } catch (RuntimeException e) {
                    d.kill();
                }
            }
            if (load != null) {
                load.stop();
            }
            if (writer != null) {
                writer.halt();
            }
        }
    }

    /**
     * The owner of s1 is frozen while its reader waits on the source for table mark (the test holds a lock on it):
     * the batch has read its window and holds mark's rows at value k, but has applied nothing of mark. Another daemon
     * takes s1 over and applies k; mark then moves to k+1 on the source and the new owner applies it. The frozen
     * daemon is continued: its batch must not write k over k+1. The target's audit of mark (a trigger that fires for
     * ibex's writes) shows every value each row took there, in order: it never goes down.
     */
    private void frozenOwnerStandsDownWithoutWriting() throws Exception {
        String owner = owners().get("s1");
        DaemonProc frozen = daemons.get(owner);
        int k = 0;
        long frozenAt = 0;
        for (int attempt = 0; attempt < 8 && frozenAt == 0; attempt++) {
            k = 100 + attempt;
            src.exec("UPDATE mark SET v = " + k);
            if (FrozenReader.freezeWhileReading(src, "mark", frozen)) {
                frozenAt = System.nanoTime();
            }
        }
        assertThat(frozenAt).as("the owner's reader caught waiting for mark").isPositive();
        String[] took = new String[1];
        Waits.await(Duration.ofSeconds(30), "another daemon runs s1", Waits.quietly(() -> {
            took[0] = owners().get("s1");
            return took[0] != null && !owner.equals(took[0]);
        }));
        long takeoverMs = Duration.ofNanos(System.nanoTime() - frozenAt).toMillis();
        int applied = k;
        Waits.await(Duration.ofSeconds(30), "the new owner applied mark = " + k, Waits.quietly(() ->
                dst.queryLong("SELECT count(*) FROM mark WHERE v = " + applied) == MARKS));
        int newer = k + 1;
        src.exec("UPDATE mark SET v = " + newer);
        Waits.await(Duration.ofSeconds(30), "the new owner applied mark = " + newer, Waits.quietly(() ->
                dst.queryLong("SELECT count(*) FROM mark WHERE v = " + newer) == MARKS));

        String stale = FrozenReader.thawAndAwaitStandDown(frozen, "s1");
        System.out.printf("fleet: SIGSTOP of %s: sync s1 taken over by %s after %d ms (lease_seconds=5); its log after SIGCONT:%n%s%n",
                owner, took[0], takeoverMs, stale.lines().filter(l -> l.contains("s1") || l.contains("MCP")).collect(Collectors.joining("\n")));
        assertThat(stale).as("the frozen daemon applied nothing of s1 after it was continued").doesNotContain("KID (s1) Totals");
        assertThat(dst.queryLong("SELECT count(*) FROM mark WHERE v = " + newer)).as("no row of mark went back to an older image")
                .isEqualTo(MARKS);
        assertThat(dst.queryLong("SELECT count(*) FROM (SELECT v, lag(v) OVER (PARTITION BY id ORDER BY seq) AS before FROM mark_audit) a"
                + " WHERE v < before")).as("the target's audit of mark: no value ever written over a newer one").isZero();
        assertThat(dst.queryLong("SELECT count(*) FROM mark_audit WHERE v = " + newer)).isPositive();
    }

    private void setUp() throws Exception {
        src = Db.create("source", server, "fleetsrc");
        dst = Db.create("target", server, "fleetdst");
        repo = Db.create("repository", server, "fleetrepo");
        Bank.initialize(src, dst, 1, 10, 10_000);
        for (Db d : List.of(src, dst)) {
            for (String t : List.of("t1", "t2", "t3")) {
                d.exec("CREATE TABLE " + t + " (id int PRIMARY KEY, v int NOT NULL, pad text)");
            }
            d.exec("CREATE TABLE mark (id int PRIMARY KEY, v int NOT NULL)");
        }
        for (String t : List.of("t1", "t2", "t3")) {
            src.exec("INSERT INTO " + t + " SELECT g, 0, md5(g::text) FROM generate_series(1, 2000) g");
        }
        src.exec("INSERT INTO mark SELECT g, 0 FROM generate_series(1, " + MARKS + ") g");
        // every value ibex writes into mark on the target, in order (ALWAYS: it fires in replica mode too)
        dst.exec("CREATE TABLE mark_audit (seq bigserial PRIMARY KEY, id int, v int)",
                "CREATE FUNCTION mark_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO mark_audit (id, v) VALUES (NEW.id, NEW.v); RETURN NULL; END $$",
                "CREATE TRIGGER mark_audit AFTER INSERT OR UPDATE ON mark FOR EACH ROW EXECUTE PROCEDURE mark_audit()",
                "ALTER TABLE mark ENABLE ALWAYS TRIGGER mark_audit");
        ibex = IbexSetup.install(repo, src, dst);
        Map<String, List<String>> groups = Map.of("bank", List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers"),
                "s1", List.of("t1", "mark"), "s2", List.of("t2"), "s3", List.of("t3"));
        for (String s : SYNCS) {
            ibex.addTables(groups.get(s), Map.of("db", "src", "relgroup", "g" + s), false);
            ibex.addSync(s, Map.of("relgroup", "g" + s, "db", "src,dst", "onetimecopy", "1"));
        }
        Path home = Files.createTempDirectory("ibex-fleet-shell");
        shell = CommandLine.of(server.port(), repo.name(), home, home.resolve("log"));
    }

    /** Starts the daemon; right after a SIGKILL its registration may still be seen alive for a moment. */
    private static void start(DaemonProc d) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                d.start();
                return;
            } catch (RuntimeException e) {
                if (attempt >= 10) {
                    throw new AssertionError("daemon " + d.name() + " did not start: " + e.getMessage() + "\n" + d.log(), e);
                }
                Thread.sleep(500);
            }
        }
    }

    /** Sync to the daemon that holds its lease now (syncs no daemon holds are left out). */
    private Map<String, String> owners() {
        Map<String, String> o = new HashMap<>();
        for (Leases.Lease l : ibex.leases()) {
            if (l.held()) {
                o.put(l.sync(), l.owner());
            }
        }
        return o;
    }

    private static Map<String, Long> counts(Map<String, String> owners) {
        return owners.values().stream().collect(Collectors.groupingBy(n -> n, Collectors.counting()));
    }

    private void convergeAndVerify(String when) throws Exception {
        Duration took = Convergence.awaitAllEqual(Duration.ofSeconds(60), TABLES, List.of(src, dst), repo);
        for (String s : SYNCS) {
            CommandLine.Result r = PrivateClasspath.run(() -> shell.run("verify", s));
            assertThat(r.code()).as("ibex verify %s %s\n%s%s", s, when, r.out(), r.err()).isZero();
        }
        List<String> live = ibex.daemons().stream().filter(DaemonInfo::running).map(DaemonInfo::name).sorted().toList();
        System.out.printf("fleet: converged %s in %d ms, verify clean; running daemons %s, owners %s%n", when, took.toMillis(), live, owners());
    }

    private static long seconds(long since) {
        return Duration.ofNanos(System.nanoTime() - since).toSeconds();
    }

    /** Updates and inserts rows of t1, t2 and t3 on the source until stopped. */
    static final class Writer {
        private static final java.util.concurrent.atomic.AtomicInteger NEXT_ID = new java.util.concurrent.atomic.AtomicInteger(1_000_000);
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Throwable> error = new AtomicReference<>();
        private final Thread thread;

        Writer(Db src) {
            thread = new Thread(() -> {
                Random rnd = new Random(11);
                try (Connection c = src.connect(); Statement s = c.createStatement()) {
                    while (!stop.get()) {
                        String t = "t" + (1 + rnd.nextInt(3));
                        s.execute("UPDATE " + t + " SET v = v + 1, pad = md5(random()::text) WHERE id = " + (1 + rnd.nextInt(2000)));
                        s.execute("INSERT INTO " + t + " VALUES (" + NEXT_ID.getAndIncrement() + ", 0, 'new')");
                        Thread.sleep(15);
                    }
                } catch (Throwable e) {
                    error.set(e);
                }
            }, "fleet-writer");
            thread.start();
        }

        void stop() throws InterruptedException {
            halt();
            assertThat(error.get()).as("the writer").isNull();
        }

        void halt() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }
}
