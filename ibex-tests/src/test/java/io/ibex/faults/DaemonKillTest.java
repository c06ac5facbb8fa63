package io.ibex.faults;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.cli.Main;
import io.ibex.embedded.PostgresServer;
import io.ibex.engine.Daemon;
import io.ibex.testkit.Bank;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.DaemonProc;
import io.ibex.testkit.Db;
import io.ibex.testkit.Diagnostics;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.PrivateClasspath;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import io.ibex.workload.Pgbench;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The daemon, run as its own process, killed with SIGKILL many times under a continuous write load: at random
 * moments, while it streams rows with COPY, after a target has committed a batch but before the position is
 * stored, and during the initial copy of a 200k-row table. It is restarted each time; at the end every table is
 * equal on source and target. A second daemon on the same repository is refused.
 */
@ExtendWith(ServersPerClass.class)
class DaemonKillTest {

    @Server("17") static PostgresServer sourceServer;
    @Server("17") static PostgresServer targetServer;

    static final List<String> BANK = List.of("public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers");
    static final List<String> ALL = List.of("public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers", "public.big");
    static final int BIG_ROWS = 200_000;

    enum Moment { RANDOM, DURING_COPY, AFTER_TARGET_COMMIT, DURING_INITIAL_COPY }

    final Map<Moment, Integer> kills = new EnumMap<>(Moment.class);
    final Map<Moment, Integer> hits = new EnumMap<>(Moment.class);
    int refusedRestarts;

    @Test
    void sigkilledManyTimesUnderLoadLosesAndDuplicatesNothing() throws Exception {
        long seed = Long.getLong("faults.seed", System.currentTimeMillis());
        System.out.println("DaemonKillTest seed " + seed + " (rerun with -Dfaults.seed=" + seed + ")");
        Random rnd = new Random(seed);
        long started = System.nanoTime();

        Db src = Db.create("source", sourceServer, "killsrc");
        Db dst = Db.create("target", targetServer, "killdst");
        Db repo = Db.create("repository", targetServer, "killrepo");
        Bank.initialize(src, dst, 1, 10, 20_000);
        String big = "CREATE TABLE big (id int PRIMARY KEY, v text, n int, pad text)";
        src.exec(big, "INSERT INTO big SELECT g, md5(g::text), 0, repeat('x', 40) FROM generate_series(1, " + BIG_ROWS + ") g");
        dst.exec(big);

        Ibex ibex = IbexSetup.install(repo, src, dst);
        ibex.addTables(List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers"), Map.of("db", "src", "relgroup", "bank"), false);
        ibex.addSync("bank", Map.of("relgroup", "bank", "db", "src,dst", "onetimecopy", "1"));

        Pgbench.Load load = new Pgbench.Load(sourceServer.connectionSupplier(src.name()), 3).rate(150).seed(seed).start();
        AtomicBoolean stopWriter = new AtomicBoolean();
        AtomicLong bigWrites = new AtomicLong();
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        Thread writer = new Thread(() -> writeBig(src, new Random(seed + 1), stopWriter, bigWrites, writerError), "big-writer");
        writer.start();

        DaemonProc daemon = new DaemonProc(repo, Files.createTempDirectory("ibex-kill"));
        try {
            // phase 1: the pgbench sync, from its initial copy on, killed at random and at chosen moments
            for (int i = 0; i < 20; i++) {
                Moment m = switch (rnd.nextInt(4)) {
                    case 0, 1 -> Moment.RANDOM;
                    case 2 -> Moment.DURING_COPY;
                    default -> Moment.AFTER_TARGET_COMMIT;
                };
                start(daemon);
                boolean hit = switch (m) {
                    case RANDOM -> {
                        Thread.sleep(50 + rnd.nextInt(750));
                        yield true;
                    }
                    case DURING_COPY -> awaitBackend(List.of(src, dst), "ibex:bank|ibex-reader", "COPY", Duration.ofSeconds(4));
                    default -> blockPositionThenKill(repo, dst, daemon);
                };
                daemon.kill();
                count(m, hit);
                Thread.sleep(rnd.nextInt(300));
            }

            // phase 2: a 200k-row table added with onetimecopy, killed during the copy while it is being written
            ibex.addTables(List.of("big"), Map.of("db", "src", "relgroup", "bigrg"), false);
            ibex.addSync("bigsync", Map.of("relgroup", "bigrg", "db", "src,dst", "onetimecopy", "1"));
            for (int i = 0; i < 6; i++) {
                start(daemon);
                boolean hit = awaitBackend(List.of(dst), "ibex:bigsync", "COPY", Duration.ofSeconds(10));
                // until one kill has hit the copy, kill the moment it is seen: a random pause could let a fast copy
                // finish in the first round and leave nothing to hit in the others
                boolean hitBefore = hits.getOrDefault(Moment.DURING_INITIAL_COPY, 0) > 0;
                Thread.sleep(hit && hitBefore ? rnd.nextInt(600) : 0);
                daemon.kill();
                hit &= !copyFinished(ibex);
                count(Moment.DURING_INITIAL_COPY, hit);
            }

            // phase 3: a few more random kills now that both syncs run deltas
            for (int i = 0; i < 4; i++) {
                start(daemon);
                Thread.sleep(50 + rnd.nextInt(750));
                daemon.kill();
                count(Moment.RANDOM, true);
            }

            start(daemon);
            Thread.sleep(2000);
            load.stop();
            stopWriter.set(true);
            writer.join();
            assertThat(writerError.get()).isNull();
            Duration took = Convergence.awaitAllEqual(Duration.ofSeconds(120), ALL, List.of(src, dst), repo);
            Waits.await(Duration.ofSeconds(60), "both syncs Good", Waits.quietly(() ->
                    ibex.status("bank").currentState().equals("Good") && ibex.status("bigsync").currentState().equals("Good")));
            assertThat(ibex.syncs()).allSatisfy(s -> assertThat(s.onetimecopy()).isZero());
            assertThat(daemon.alive()).as("the last daemon is still running").isTrue();

            int total = kills.values().stream().mapToInt(Integer::intValue).sum();
            System.out.printf("faults: %d daemon kills survived (%s; moment reached: %s; restarts refused while the killed daemon's "
                            + "lock was held: %d); %d pgbench transactions, %d writes on big; converged %d ms after the load stopped; "
                            + "test took %d s%n", total, kills, hits, refusedRestarts, load.transactions(), bigWrites.get(), took.toMillis(),
                    Duration.ofNanos(System.nanoTime() - started).toSeconds());
            assertThat(total).isGreaterThanOrEqualTo(30);
            assertThat(hits.getOrDefault(Moment.DURING_INITIAL_COPY, 0)).as("kills that hit the initial copy of big").isPositive();
            // the daemon started again after a kill takes the leases its dead predecessor left at once, not after they expire
            assertThat(daemon.log()).contains("at once: its owner was this daemon's predecessor, dead");
        } finally {
            stopWriter.set(true);
            load.stop();
            if (daemon.alive()) {
                daemon.stop();
            }
        }
    }

    private void count(Moment m, boolean hit) {
        kills.merge(m, 1, Integer::sum);
        if (hit) {
            hits.merge(m, 1, Integer::sum);
        }
    }

    /**
     * Starts the daemon. Right after a SIGKILL the killed daemon's repository backend may not have gone yet (its
     * advisory lock with it): the new daemon then refuses to start; it is counted, and started again.
     */
    private void start(DaemonProc daemon) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                daemon.start();
                return;
            } catch (IbexException e) {
                if (!e.getMessage().contains("another ibex daemon") || attempt >= 10) {
                    throw new AssertionError("the daemon did not start again after a kill: " + e.getMessage() + "\n" + daemon.log(), e);
                }
                refusedRestarts++;
                Thread.sleep(500);
            }
        }
    }

    /** Polls the servers until an ibex backend (application_name matching) runs a query starting with {@code prefix}. */
    private static boolean awaitBackend(List<Db> dbs, String appRegex, String prefix, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection a = dbs.get(0).connect(); Connection b = dbs.size() > 1 ? dbs.get(1).connect() : null) {
            while (System.nanoTime() < deadline) {
                for (Connection c : b == null ? List.of(a) : List.of(a, b)) {
                    for (String[] be : Diagnostics.ibexBackends(c)) {
                        if (be[2].matches(appRegex) && be[3].equals("active") && be[4].startsWith(prefix)) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    /**
     * Locks the sync's position rows in the repository, waits until the daemon blocks storing a position after a
     * batch whose target transaction has committed (its target session is idle), and returns; the caller kills.
     */
    private static boolean blockPositionThenKill(Db repo, Db dst, DaemonProc daemon) throws Exception {
        Connection locker = repo.connect();
        try {
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("SELECT * FROM ibex.position WHERE sync = 'bank' FOR UPDATE");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            try (Connection r = repo.connect(); Connection t = dst.connect()) {
                while (System.nanoTime() < deadline) {
                    boolean blocked = false;
                    try (Statement s = r.createStatement(); ResultSet rs = s.executeQuery(
                            "SELECT 1 FROM pg_stat_activity WHERE application_name = 'ibex-daemon' AND wait_event_type = 'Lock'"
                                    + " AND query LIKE '%ibex.position%'")) {
                        blocked = rs.next();
                    }
                    if (blocked) {
                        // the target side of the batch: committed (idle) rather than in a transaction
                        boolean targetIdle = Diagnostics.ibexBackends(t).stream().filter(be -> be[2].equals("ibex:bank"))
                                .allMatch(be -> be[3].equals("idle"));
                        return targetIdle;
                    }
                    Thread.sleep(5);
                }
            }
            return false;
        } finally {
            daemon.kill();
            locker.rollback();
            locker.close();
        }
    }

    private static boolean copyFinished(Ibex ibex) {
        try {
            return ibex.syncs().stream().filter(s -> s.name().equals("bigsync")).allMatch(s -> s.onetimecopy() == 0);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Updates, inserts, deletes and key changes on big, about 100 statements a second, until stopped. */
    private static void writeBig(Db src, Random rnd, AtomicBoolean stop, AtomicLong writes, AtomicReference<Throwable> error) {
        int next = BIG_ROWS + 1;
        try (Connection c = src.connect(); Statement s = c.createStatement()) {
            while (!stop.get()) {
                int id = 1 + rnd.nextInt(BIG_ROWS);
                switch (rnd.nextInt(5)) {
                    case 0 -> s.execute("INSERT INTO big VALUES (" + next++ + ", 'new', 1, 'y')");
                    case 1 -> s.execute("DELETE FROM big WHERE id = " + id);
                    case 2 -> s.execute("UPDATE big SET id = " + (next++) + " WHERE id = " + id);
                    default -> s.execute("UPDATE big SET n = n + 1, v = md5(random()::text) WHERE id = " + id);
                }
                writes.incrementAndGet();
                Thread.sleep(10);
            }
        } catch (SQLException | InterruptedException | RuntimeException e) {
            error.set(e);
        }
    }

    /** A second daemon of the same name on one repository is refused with a clear message; one of another name joins. */
    @Test
    void aSecondDaemonOfTheSameNameIsRefusedAndOneOfAnotherNameJoins() throws Exception {
        Db repo = Db.create("repository", targetServer, "tworepo");
        new Ibex(repo.spec()).install();
        DaemonProc first = new DaemonProc(repo, Files.createTempDirectory("ibex-first"));
        first.start();
        DaemonProc other = new DaemonProc(repo, Files.createTempDirectory("ibex-other"), "other");
        try {
            // as a process started elsewhere (its own pid directory, so no pid file to find), under the same (host) name
            DaemonProc second = new DaemonProc(repo, Files.createTempDirectory("ibex-second"));
            assertThatThrownBy(second::start).isInstanceOf(IbexException.class)
                    .hasMessageContaining("is already running on this repository")
                    .hasMessageContaining(repo.name())
                    .hasMessageContaining("daemon=OTHERNAME");

            // with `ibex start`, from another pid directory
            Path third = Files.createTempDirectory("ibex-third");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = PrivateClasspath.run(() -> Main.run(new String[] {"--dbhost", "localhost", "--dbport", String.valueOf(targetServer.port()), "--dbname",
                    repo.name(), "--dbuser", "postgres", "--piddir", third.toString(), "--logdir", third.toString(), "--no-ibexrc",
                    "start"}, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                    Map.of("HOME", third.toString())));
            assertThat(code).isNotZero();
            // the repository shows the running daemon: start refuses before it launches a second one
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("ibex is already running (daemon ");

            // in this JVM
            Daemon fourth = new Daemon(repo.spec(), third.resolve("x.pid"));
            assertThatThrownBy(fourth::run).isInstanceOf(IbexException.class).hasMessageContaining("is already running on this repository");

            // another name joins the fleet
            other.start();
            assertThat(other.alive()).as("a daemon of another name joins").isTrue();
            assertThat(new Ibex(repo.spec()).daemons()).extracting(d -> d.name()).contains("other");
            assertThat(first.alive()).as("the first daemon goes on").isTrue();
        } finally {
            other.stop();
            first.stop();
        }
    }
}
