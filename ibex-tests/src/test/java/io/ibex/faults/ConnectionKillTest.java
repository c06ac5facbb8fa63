package io.ibex.faults;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Bank;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.Db;
import io.ibex.testkit.Diagnostics;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.InProcessDaemon;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import io.ibex.workload.Pgbench;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ibex's connections cut under a write load: its backends on the source (reader, listener), the target (apply)
 * and the repository (daemon, workers) are ended with pg_terminate_backend at random moments, from the initial
 * copy on. ibex reconnects by itself; every table ends equal.
 */
@ExtendWith(ServersPerClass.class)
class ConnectionKillTest {

    @Server("17") static PostgresServer sourceServer;
    @Server("17") static PostgresServer targetServer;

    static final List<String> TABLES = Bank.TABLES;
    static final List<String> KINDS = List.of("source", "target", "repository");

    @Test
    void backendsTerminatedAtRandomAreSurvived() throws Exception {
        long seed = Long.getLong("faults.seed", System.currentTimeMillis());
        System.out.println("ConnectionKillTest seed " + seed);
        Random rnd = new Random(seed);
        long started = System.nanoTime();
        Db src = Db.create("source", sourceServer, "cutsrc");
        Db dst = Db.create("target", targetServer, "cutdst");
        Db repo = Db.create("repository", targetServer, "cutrepo");
        Bank.initialize(src, dst, 2, 20, 50_000);
        Ibex ibex = IbexSetup.install(repo, src, dst);
        ibex.addTables(List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers"), Map.of("db", "src", "relgroup", "bank"), false);
        ibex.addSync("bank", Map.of("relgroup", "bank", "db", "src,dst", "onetimecopy", "1"));

        Pgbench.Load load = new Pgbench.Load(sourceServer.connectionSupplier(src.name()), 3).rate(200).seed(seed).start();
        InProcessDaemon daemon = new InProcessDaemon(repo.spec());
        Map<String, Integer> cut = new TreeMap<>();
        try (Connection onSource = src.connect(); Connection onTarget = dst.connect(); Statement ss = onSource.createStatement();
             Statement ts = onTarget.createStatement()) {
            // from the moment the sync runs (its initial copy); a cut during the daemon's own start is the next test
            Waits.await(Duration.ofSeconds(30), "the sync to start", Waits.quietly(() ->
                    Diagnostics.ibexBackends(onSource).stream().anyMatch(b -> b[2].equals("ibex-reader"))));
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int round = rnd.nextInt(KINDS.size());
            while (System.nanoTime() < end) {
                Thread.sleep(50 + rnd.nextInt(450));
                List<String[]> candidates = new ArrayList<>();
                for (String[] b : Diagnostics.ibexBackends(onSource)) {
                    candidates.add(new String[] {"source", b[0], b[2], b[3], b[4]});
                }
                for (String[] b : Diagnostics.ibexBackends(onTarget)) {
                    candidates.add(new String[] {b[1].equals(repo.name()) ? "repository" : "target", b[0], b[2], b[3], b[4]});
                }
                if (candidates.isEmpty()) {
                    continue;
                }
                // each kind of session in turn (source, target, repository; a kind with no session now waits for its
                // next turn), so that every kind is cut and none all the time; within a kind, mostly a session in the
                // middle of something (a batch, a copy), sometimes any
                String kind = KINDS.get(round++ % KINDS.size());
                List<String[]> ofKind = candidates.stream().filter(b -> b[0].equals(kind)).toList();
                if (ofKind.isEmpty()) {
                    continue;
                }
                List<String[]> busy = ofKind.stream().filter(b -> !b[3].equals("idle")).toList();
                List<String[]> pool = !busy.isEmpty() && rnd.nextInt(10) < 7 ? busy : ofKind;
                String[] victim = pool.get(rnd.nextInt(pool.size()));
                Statement s = victim[0].equals("source") ? ss : ts;
                s.execute("SELECT pg_terminate_backend(" + victim[1] + ")");
                String what = victim[0] + " " + victim[2].replaceFirst("^ibex:.*", "ibex:<sync>")
                        + (victim[4].startsWith("COPY") && victim[3].equals("active") ? " in COPY"
                        : victim[3].equals("idle") ? "" : " " + victim[3]);
                cut.merge(what, 1, Integer::sum);
            }
        }
        try {
            load.stop();
            assertThat(daemon.alive()).as("the daemon is still running; it died of: %s", stackOf(daemon.died())).isTrue();
            Duration took = Convergence.awaitAllEqual(Duration.ofSeconds(120), TABLES, List.of(src, dst), repo);
            Waits.await(Duration.ofSeconds(60), "sync Good", Waits.quietly(() -> ibex.status("bank").currentState().equals("Good")));
            assertThat(daemon.alive()).as("the daemon survived (%s)", daemon.died()).isTrue();
            int total = cut.values().stream().mapToInt(Integer::intValue).sum();
            System.out.printf("faults: %d connections of ibex terminated and survived (%s); %d pgbench transactions; converged %d ms "
                    + "after the load stopped; test took %d s%n", total, cut, load.transactions(), took.toMillis(),
                    (System.nanoTime() - started) / 1_000_000_000);
            assertThat(total).isGreaterThanOrEqualTo(15);
            assertThat(cut.keySet()).anyMatch(k -> k.startsWith("source")).anyMatch(k -> k.startsWith("target"))
                    .anyMatch(k -> k.startsWith("repository"));
        } finally {
            load.stop();
            daemon.close();
        }
    }

    static String stackOf(Throwable t) {
        if (t == null) {
            return "-";
        }
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    /**
     * The daemon's repository connection cut at a fixed moment of its start: after it has taken the repository lock
     * and written its pid file ("Starting ibex daemon"), while it reads the syncs to start. The daemon must go on
     * (reconnect, as it does when the connection is cut later) and replicate.
     */
    @Test
    void aConnectionCutWhileTheDaemonLoadsItsSyncsIsSurvived() throws Exception {
        Db src = Db.create("source", sourceServer, "startsrc");
        Db dst = Db.create("target", targetServer, "startdst");
        Db repo = Db.create("repository", targetServer, "startrepo");
        for (Db d : List.of(src, dst)) {
            d.exec("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT g, 'start' FROM generate_series(1, 10) g");
        }
        Ibex ibex = IbexSetup.install(repo, src, dst);
        ibex.addTables(List.of("t"), Map.of("db", "src", "relgroup", "rg"), false);
        ibex.addSync("s", Map.of("relgroup", "rg", "db", "src,dst"));
        InProcessDaemon daemon;
        try (Connection locker = repo.connect(); Connection watch = repo.connect()) {
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE ibex.sync IN ACCESS EXCLUSIVE MODE");
            }
            daemon = new InProcessDaemon(repo.spec());
            Waits.await(Duration.ofSeconds(30), "the daemon started and waiting for ibex.sync", Waits.quietly(() ->
                    java.nio.file.Files.exists(daemon.pidFile) && Diagnostics.ibexBackends(watch).stream().anyMatch(b ->
                            b[2].equals("ibex-daemon") && b[3].equals("active") && b[4].contains("ibex.sync"))));
            try (Statement s = watch.createStatement()) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ibex-daemon'");
            }
            locker.rollback();
        }
        try {
            src.exec("UPDATE t SET v = 'after the cut' WHERE id = 1");
            Thread.sleep(1000);
            assertThat(daemon.alive()).as("the daemon is still running; it died of: %s", stackOf(daemon.died())).isTrue();
            Convergence.awaitAllEqual(Duration.ofSeconds(60), List.of("public.t"), List.of(src, dst), repo);
        } finally {
            daemon.close();
        }
    }
}
