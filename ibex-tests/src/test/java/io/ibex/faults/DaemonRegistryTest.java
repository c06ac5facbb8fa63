package io.ibex.faults;

import io.ibex.api.Ibex;
import io.ibex.cli.Main;
import io.ibex.embedded.PostgresServer;
import io.ibex.model.DaemonInfo;
import io.ibex.testkit.CommandLine;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.Db;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.PrivateClasspath;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon known to the repository, with real daemon processes and ibex's command line from shells with different
 * pid directories: stop and restart from any shell, a stale heartbeat shown after SIGSTOP and SIGKILL, a start right
 * after a SIGKILL (even of a zombie), and two repositories on one server that each see only their own daemon. Each
 * claim is judged by the rows that reach the target (row counts and content hashes), or do not.
 */
@ExtendWith(ServersPerClass.class)
class DaemonRegistryTest {

    @Server("17") static PostgresServer server;

    static final List<String> TABLES = List.of("public.t");
    static final AtomicInteger next = new AtomicInteger();

    /** A repository replicating table t from its own source to its own target. */
    record Setup(Db repo, Db src, Db dst, Ibex ibex) {
        static Setup create(String name) throws Exception {
            long t0 = System.nanoTime();
            Db src = Db.create("src", server, name + "src");
            Db dst = Db.create("dst", server, name + "dst");
            Db repo = Db.create("repository", server, name + "repo");
            for (Db d : List.of(src, dst)) {
                d.exec("CREATE TABLE t (id int PRIMARY KEY, v text)");
            }
            Ibex ibex = IbexSetup.install(repo, src, dst);
            ibex.addTables(List.of("t"), Map.of("db", "src", "relgroup", "rg"), false);
            ibex.addSync("s", Map.of("relgroup", "rg", "db", "src,dst"));
            System.out.printf("registry: setup of %s took %d ms%n", name, Duration.ofNanos(System.nanoTime() - t0).toMillis());
            return new Setup(repo, src, dst, ibex);
        }

        /** Writes rows on the source and waits until the target has them all (count and content hash). */
        void replicates(int rows) throws Exception {
            write(rows);
            Convergence.awaitAllEqual(Duration.ofSeconds(60), TABLES, List.of(src, dst), repo);
            assertThat(src.queryLong("SELECT count(*) FROM t")).isEqualTo(dst.queryLong("SELECT count(*) FROM t")).isPositive();
        }

        void write(int rows) throws Exception {
            int from = next.getAndAdd(rows);
            src.exec("INSERT INTO t SELECT g, md5(g::text) FROM generate_series(" + from + ", " + (from + rows - 1) + ") g");
        }

        /** A shell of its own: its own HOME, hence its own pid and log directory. */
        CommandLine shell(Path home) {
            return CommandLine.of(server.port(), repo.name(), home, home.resolve("log"));
        }

        DaemonInfo only() {
            List<DaemonInfo> all = ibex.daemons();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }

    static String start(CommandLine shell, String... words) {
        List<String> w = new ArrayList<>(List.of("start"));
        w.addAll(List.of(words));
        return PrivateClasspath.run(() -> shell.ok(w.toArray(String[]::new)));
    }

    static void awaitExit(long pid) {
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(60, TimeUnit.SECONDS).join());
    }

    static void signal(String sig, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + sig, String.valueOf(pid)).start().waitFor()).isZero();
    }

    @Test
    void stopAndRestartFromAnyShellWhateverItsPiddir() throws Exception {
        Setup s = Setup.create("anyshell");
        Path homeA = Files.createTempDirectory("ibex-shell-a");
        Path homeB = Files.createTempDirectory("ibex-shell-b");
        CommandLine a = s.shell(homeA);
        CommandLine b = s.shell(homeB);
        start(a, "daemon=alpha");
        DaemonInfo first = s.only();
        try {
            assertThat(first.name()).isEqualTo("alpha");
            assertThat(first.running()).isTrue();
            s.replicates(100);

            // another shell, another pid directory: sees the daemon, and will not start a second one of its name
            // (one of another name would join the fleet: FleetTest)
            assertThat(b.ok("status")).contains("PID of ibex daemon: " + first.pid()).contains("Daemon alpha: pid " + first.pid())
                    .doesNotContain("STALE");
            CommandLine.Result again = PrivateClasspath.run(() -> b.run("start", "daemon=alpha"));
            assertThat(again.code()).isEqualTo(1);
            assertThat(again.err()).contains("ibex is already running (daemon alpha, pid " + first.pid());
            assertThat(b.run("stop", "daemon=beta").err()).contains("no daemon named \"beta\" is registered in this repository (registered: alpha)");
            assertThat(Files.exists(homeB.resolve("run/ibex.pid"))).isFalse();

            // restart from shell B: the daemon started from A stops, a new one starts from B
            String out = PrivateClasspath.run(() -> b.ok("restart", "daemon=alpha", "new shell"));
            assertThat(out).contains("Stopping ibex (daemon alpha, pid " + first.pid()).contains("ibex stopped").contains("ibex started");
            awaitExit(first.pid());
            DaemonInfo second = s.only();
            assertThat(second.pid()).isNotEqualTo(first.pid());
            assertThat(second.piddir()).isEqualTo(homeB.resolve("run").toString());
            assertThat(Files.exists(homeA.resolve("run/ibex.pid"))).as("the first daemon removed its own pid file").isFalse();
            assertThat(Files.readString(homeA.resolve("log/log.ibex"))).contains("MCP Stop requested: new shell");
            s.replicates(100);

            // stop from shell A, whose pid directory has no pid file of this daemon
            assertThat(a.ok("stop")).contains("Stopping ibex (daemon alpha, pid " + second.pid()).contains("ibex stopped");
            awaitExit(second.pid());
            assertThat(s.ibex.daemons()).isEmpty();
            assertThat(a.ok("status")).startsWith("ibex is not running\n");
            s.write(50);
            Thread.sleep(1500);
            assertThat(s.dst.queryLong("SELECT count(*) FROM t")).as("nothing replicates after the stop")
                    .isEqualTo(s.src.queryLong("SELECT count(*) FROM t") - 50);
        } finally {
            PrivateClasspath.run(() -> a.run("stop"));
        }
    }

    @Test
    void aStaleHeartbeatIsShownAfterSigstopAndSigkillAndAStartRightAfterTheKillSucceeds() throws Exception {
        Setup s = Setup.create("stale");
        Path home = Files.createTempDirectory("ibex-stale");
        CommandLine shell = s.shell(home);
        start(shell);
        long pid = s.only().pid();
        try {
            s.replicates(100);

            // frozen: its session holds on, its heartbeat grows old
            signal("STOP", pid);
            long frozen = System.nanoTime();
            Waits.await(Duration.ofSeconds(30), "a stale heartbeat", () -> shell.ok("status").contains("STALE: not responding"));
            long staleAfter = Duration.ofNanos(System.nanoTime() - frozen).toMillis();
            assertThat(shell.ok("status")).contains("PID of ibex daemon: " + pid);
            CommandLine.Result refused = PrivateClasspath.run(() -> s.shell(Files.createTempDirectory("ibex-other")).run("start"));
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("ibex is already running").contains("its heartbeat is stale");
            assertThat(s.ibex.daemonAlive()).isFalse();
            signal("CONT", pid);
            Waits.await(Duration.ofSeconds(15), "a fresh heartbeat", () -> !shell.ok("status").contains("STALE"));
            assertThat(s.ibex.daemonAlive()).isTrue();
            s.replicates(100);

            // killed: gone at once, whatever the age of its last heartbeat; a start right after succeeds
            signal("KILL", pid);
            awaitExit(pid);
            long killed = System.nanoTime();
            Waits.await(Duration.ofSeconds(10), "the daemon shown gone", () -> shell.ok("status").contains("STALE: gone"));
            long goneAfter = Duration.ofNanos(System.nanoTime() - killed).toMillis();
            assertThat(shell.ok("status")).startsWith("ibex is not running\n").contains("Daemon " + s.only().name() + ": pid " + pid);
            s.write(100);
            String out = start(shell);
            assertThat(out).contains("ibex started");
            assertThat(s.only().pid()).isNotEqualTo(pid);
            assertThat(s.only().running()).isTrue();
            s.replicates(100);
            System.out.printf("registry: heartbeat shown stale %d ms after SIGSTOP, daemon shown gone %d ms after SIGKILL%n", staleAfter, goneAfter);
        } finally {
            new ProcessBuilder("kill", "-CONT", String.valueOf(pid)).start().waitFor(); // if the test failed while it was stopped
            PrivateClasspath.run(() -> shell.run("stop"));
        }
    }

    /**
     * A daemon whose parent does not reap it stays a zombie after SIGKILL (ProcessHandle says it is alive), and the pid
     * file still names it: 'ibex start' from the same pid directory starts a new daemon at once.
     */
    @Test
    void startRightAfterTheDaemonWasKilledAndLeftAZombie() throws Exception {
        Setup s = Setup.create("zombie");
        Path home = Files.createTempDirectory("ibex-zombie");
        CommandLine shell = s.shell(home);
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "\"$@\" & echo $!; exec sleep 300", "sh"));
        cmd.addAll(PrivateClasspath.run(Main::daemonCommand));
        cmd.addAll(List.of("--no-ibexrc", "--dbhost", "localhost", "--dbport", String.valueOf(server.port()), "--dbname", s.repo.name(),
                "--dbuser", "postgres", "--piddir", home.resolve("run").toString(), "--logdir", home.resolve("log").toString()));
        Process parent = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            long pid = Long.parseLong(new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8)).readLine().trim());
            Waits.await(Duration.ofSeconds(60), "the daemon registered", () -> s.ibex.daemons().stream().anyMatch(d -> d.pid() == pid && d.running()));
            s.replicates(100);
            signal("KILL", pid);
            Waits.await(Duration.ofSeconds(10), "a zombie", Waits.quietly(() ->
                    Files.readString(Path.of("/proc/" + pid + "/stat")).matches("\\d+ \\(.*\\) Z .*\\s*")));
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("a zombie looks alive to ProcessHandle").contains(true);
            assertThat(Files.readString(home.resolve("run/ibex.pid"))).startsWith(pid + "\n");
            s.write(100);
            String out = start(shell);
            assertThat(out).contains("ibex started").doesNotContain("already running");
            assertThat(s.only().pid()).isNotEqualTo(pid);
            s.replicates(100);
        } finally {
            parent.destroyForcibly();
            PrivateClasspath.run(() -> shell.run("stop"));
        }
    }

    /** Two repositories on one server, their daemons started from one pid directory: each sees and stops only its own. */
    @Test
    void twoRepositoriesOnOneServerEachSeeOnlyTheirOwnDaemon() throws Exception {
        Setup one = Setup.create("one");
        Setup two = Setup.create("two");
        Path home = Files.createTempDirectory("ibex-two");
        CommandLine shell1 = one.shell(home);
        CommandLine shell2 = two.shell(home);
        start(shell1);
        assertThat(start(shell2)).as("the pid file names the other repository's daemon: no matter").contains("ibex started");
        long pid1 = one.only().pid();
        long pid2 = two.only().pid();
        try {
            assertThat(pid1).isNotEqualTo(pid2);
            assertThat(shell1.ok("status")).contains("PID of ibex daemon: " + pid1).doesNotContain(String.valueOf(pid2));
            assertThat(shell2.ok("status")).contains("PID of ibex daemon: " + pid2).doesNotContain(String.valueOf(pid1));
            one.replicates(100);
            two.replicates(100);

            String name2 = two.only().name();
            assertThat(shell2.ok("stop")).contains("Stopping ibex (daemon " + name2 + ", pid " + pid2).contains("ibex stopped");
            awaitExit(pid2);
            assertThat(ProcessHandle.of(pid1).map(ProcessHandle::isAlive)).as("the other repository's daemon goes on").contains(true);
            assertThat(shell2.ok("status")).startsWith("ibex is not running\n");
            assertThat(shell1.ok("status")).contains("PID of ibex daemon: " + pid1);
            two.write(100);
            one.replicates(100);
            assertThat(two.dst.queryLong("SELECT count(*) FROM t")).as("repository two has no daemon")
                    .isEqualTo(two.src.queryLong("SELECT count(*) FROM t") - 100);
        } finally {
            PrivateClasspath.run(() -> shell2.run("stop"));
            PrivateClasspath.run(() -> shell1.run("stop"));
        }
    }
}
