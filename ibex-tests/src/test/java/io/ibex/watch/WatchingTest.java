package io.ibex.watch;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.CommandLine;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.DaemonProc;
import io.ibex.testkit.Db;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running daemon watched from outside: /metrics scraped and parsed, lag near 0 on an idle source and growing on
 * a paused sync with no write (a 17 and a 9.3 source), the status page in headless Chromium, {@code ibex check}'s
 * exit code in each state, {@code ibex reopen} after the log was moved, JSON log lines, a port in use. Every
 * phase's data is compared by row counts and content hashes on both sides.
 */
@ExtendWith(ServersPerClass.class)
class WatchingTest {
    @Server("17") static PostgresServer sourceServer;
    @Server("9.3") static PostgresServer oldServer;
    @Server("17") static PostgresServer targetServer;

    static final List<String> T = List.of("public.t");
    static final String TABLE = "CREATE TABLE t (id int PRIMARY KEY, v text)";

    Db src;
    Db old;
    Db dst;
    Db dst2;
    Db repo;
    CommandLine cli;
    int port;

    private long t0 = System.nanoTime();

    /** Prints how long the phase before took (the class's time is spent in the waits and the browser). */
    private void phase(String name) {
        long now = System.nanoTime();
        System.out.printf("WatchingTest %-28s %6.1f s%n", name, (now - t0) / 1e9);
        t0 = now;
    }

    @Test
    void metricsPageAndChecksFollowTheDaemon() throws Exception {
        src = Db.create("src", sourceServer, "wsrc");
        old = Db.create("old", oldServer, "wold");
        dst = Db.create("dst", targetServer, "wdst");
        dst2 = Db.create("dst2", targetServer, "wdst2");
        repo = Db.create("repository", targetServer, "wrepo");
        for (Db d : List.of(src, old, dst, dst2)) {
            d.exec(TABLE);
        }
        Ibex ibex = IbexSetup.install(repo, List.of(src, old, dst, dst2));
        ibex.addTables(List.of("t"), Map.of("db", "src", "relgroup", "r17"), false);
        ibex.addSync("s17", Map.of("relgroup", "r17", "db", "src,dst"));
        ibex.addTables(List.of("t"), Map.of("db", "old", "relgroup", "r93"), false);
        ibex.addSync("s93", Map.of("relgroup", "r93", "db", "old,dst2"));
        port = freePort();
        Path home = Files.createTempDirectory("ibex-watch");
        cli = CommandLine.of(targetServer.port(), repo.name(), home, home);
        cli.ok("set", "http_listen=127.0.0.1:" + port, "status_interval=1");

        phase("setup");
        DaemonProc daemon = new DaemonProc(repo, home.resolve("d"));
        daemon.start(Map.of("IBEX_LOG_FORMAT", "json"));
        try {
            phase("daemon started");
            write(src, 1, 200);
            write(old, 1, 150);
            converge();

            phase("converged");
            // idle: the lag is near 0, and stays so however long nothing is written (not "time since the last change")
            Thread.sleep(2500);
            Scrape idle = freshScrape();
            assertThat(idle.require("ibex_sync_lag_seconds", "sync", "s17", "db", "dst")).isLessThan(1.0);
            assertThat(idle.require("ibex_sync_lag_seconds", "sync", "s93", "db", "dst2")).isLessThan(1.0);
            assertThat(idle.require("ibex_sync_backlog_rows", "sync", "s17", "db", "dst")).isZero();
            assertThat(idle.require("ibex_rows_applied_total", "sync", "s17", "op", "insert")).isGreaterThanOrEqualTo(200);
            assertThat(idle.require("ibex_rows_applied_total", "sync", "s93", "op", "insert")).isGreaterThanOrEqualTo(150);
            assertThat(idle.require("ibex_sync_runs_total", "sync", "s17", "result", "good")).isGreaterThanOrEqualTo(1);
            assertThat(idle.require("ibex_sync_run_duration_seconds_count", "sync", "s17")).isGreaterThanOrEqualTo(1);
            for (String db : List.of("src", "old", "dst", "dst2")) {
                assertThat(idle.require("ibex_database_up", "db", db)).as(db).isEqualTo(1);
            }
            assertThat(idle.require("ibex_capture_table_bytes", "db", "old")).isPositive();
            assertThat(idle.require("ibex_daemon_info", "host", java.net.InetAddress.getLocalHost().getHostName())).isEqualTo(1);
            assertThat(idle.value("jvm_memory_used_bytes", "area", "heap")).isPresent();
            assertThat(idle.value("jvm_threads_current")).isPresent();
            check(0, "IBEX OK - 2 syncs, worst lag ");
            check(0, "IBEX OK - s17 Good, lag ", "s17");

            phase("idle checked");
            // paused: changes wait, and their lag grows with nothing more written, on 17 and on 9.3
            int reloads = reloads(daemon);
            ibex.pause(List.of("s17", "s93"));
            // the daemon learns of the pause from a notice: write only once it has (else a run may still take them)
            Waits.await(Duration.ofSeconds(60), "the daemon told of the pause", () -> reloads(daemon) > reloads);
            Thread.sleep(1000);
            write(src, 1001, 50);
            write(old, 1001, 30);
            Thread.sleep(2500);
            Scrape first = freshScrape();
            Thread.sleep(2000);
            Scrape later = freshScrape();
            for (String[] s : new String[][] {{"s17", "dst", "50"}, {"s93", "dst2", "30"}}) {
                double lag1 = first.require("ibex_sync_lag_seconds", "sync", s[0], "db", s[1]);
                double lag2 = later.require("ibex_sync_lag_seconds", "sync", s[0], "db", s[1]);
                assertThat(lag1).as(s[0]).isGreaterThan(1.5);
                assertThat(lag2).as(s[0]).isGreaterThan(lag1 + 1.0);
                assertThat(later.require("ibex_sync_backlog_rows", "sync", s[0], "db", s[1])).as(s[0]).isEqualTo(Double.parseDouble(s[2]));
            }
            assertThat(count(dst)).as("nothing applied while paused").isEqualTo(200);
            check(1, "IBEX WARNING - ", "s17", "warn=1", "crit=1000");
            assertThat(cli.run("check", "s17", "warn=1", "crit=1000").out()).contains("paused with a backlog of 50").contains("backlog=50");
            check(2, "IBEX CRITICAL - s17 lag ", "s17", "warn=1", "crit=2");
            phase("paused checked");
            statusPage();

            phase("status page in chromium");
            ibex.resume(List.of("s17", "s93"));
            converge();
            Thread.sleep(1500);
            assertThat(freshScrape().require("ibex_sync_lag_seconds", "sync", "s17", "db", "dst")).isLessThan(1.0);
            check(0, "IBEX OK - ");

            phase("resumed and converged");
            // reopen: logrotate moved the log; the daemon writes a new one, 0640, in JSON lines
            Path log = daemon.process.logFile();
            Path moved = log.resolveSibling("log.ibex.1");
            LogRotation.rotate(log, targetServer.port(), repo.name(), home);
            cli.ok("message", "after the rotation");
            Waits.await(Duration.ofSeconds(10), "the reopened log", () -> Files.exists(log) && read(log).contains("after the rotation"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-r-----");
            assertThat(read(moved)).contains("Starting ibex daemon").doesNotContain("after the rotation");
            for (String line : read(log).strip().split("\n")) {
                assertThat(line).as("a JSON line").startsWith("{").endsWith("}").contains("\"level\":").contains("\"formattedMessage\":");
            }

            phase("rotated and reopened");
            // no daemon: at least WARNING
            daemon.stop();
            check(1, "IBEX WARNING - no ibex daemon is running");

            phase("stopped, checked");
            // the port taken: one log line, and the daemon replicates all the same
            try (ServerSocket taken = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                daemon.start();
                write(src, 2001, 20);
                converge();
                assertThat(daemon.log()).contains("No metrics or status page: cannot listen on 127.0.0.1:" + port);
                check(0, "IBEX OK - ");
            }

            phase("port taken, restarted");
            // a Bad sync: CRITICAL
            dst.exec("DROP TABLE t");
            write(src, 3001, 5);
            Waits.await(Duration.ofSeconds(30), "s17 Bad", () -> cli.run("check", "s17").code() == 2);
            check(2, "IBEX CRITICAL - s17 Bad", "s17");
            phase("bad checked");
        } finally {
            daemon.stop();
        }
        assertThat(cli.run("check", "warn=x").code()).isEqualTo(3);
        assertThat(cli.run("check", "nosuch").out()).startsWith("IBEX UNKNOWN - ");
        assertThat(CommandLine.of(freePort(), "wrepo", Files.createTempDirectory("ibex-nowhere"), Path.of("/tmp")).run("check").code())
                .as("repository away").isEqualTo(3);
        phase("stopped, unknown checked");
    }

    /** The page of the running daemon in a real browser: the syncs and their lag plots are drawn; screenshots kept. */
    private void statusPage() throws Exception {
        assertThat(Chromium.binary()).as("headless Chromium (.ci/run installs it: apt-get install chromium)").isPresent();
        String url = "http://127.0.0.1:" + port + "/";
        String dom = Chromium.dumpDom(url);
        for (String s : List.of("s17", "s93")) {
            assertThat(dom).contains("id=\"sync-" + s + "\"").contains("id=\"lag-" + s + "\"");
        }
        assertThat(dom).contains("Paused").contains("<path").contains("old up");
        Chromium.screenshot(url, Path.of("target", "status-page.png"), 1000, 1100);
        Chromium.screenshot(url, Path.of("target", "status-page-phone.png"), 390, 1400);
    }

    private Scrape freshScrape() throws Exception {
        double asked = System.currentTimeMillis() / 1000.0;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            Scrape s = Scrape.of(port);
            if (s.value("ibex_status_timestamp_seconds").orElse(0) > asked) {
                return s;
            }
            assertThat(System.nanoTime()).as("a measurement after %s", asked).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private void check(int code, String start, String... args) {
        String[] words = new String[args.length + 1];
        words[0] = "check";
        System.arraycopy(args, 0, words, 1, args.length);
        CommandLine.Result r = cli.run(words);
        assertThat(r.out()).as(String.join(" ", words)).startsWith(start).contains(" | lag=").endsWith("\n");
        assertThat(r.out().strip()).doesNotContain("\n");
        assertThat(r.code()).as(r.out()).isEqualTo(code);
    }

    private void converge() throws Exception {
        Convergence.awaitAllEqual(Duration.ofSeconds(30), T, List.of(src, dst), repo);
        Convergence.awaitAllEqual(Duration.ofSeconds(30), T, List.of(old, dst2), repo);
    }

    private static void write(Db db, int from, int n) throws Exception {
        db.exec("INSERT INTO t SELECT g, md5(g::text) FROM generate_series(" + from + ", " + (from + n - 1) + ") g");
    }

    private static long count(Db db) throws Exception {
        return db.queryLong("SELECT count(*) FROM t");
    }

    private static int reloads(DaemonProc daemon) {
        return daemon.log().split("Reload requested", -1).length - 1;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
