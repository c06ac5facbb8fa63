package io.ibex.faults;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.DaemonProc;
import io.ibex.testkit.Db;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A big table's onetimecopy into an empty database (tables created by ibex), in ranges by two workers (of blocks from
 * a 17 source, of the integer key's values from a 9.6 source, which has no TID range scans), under a
 * continuous write load: the daemon (its own process) is SIGKILLed part way, then the target server restarts part way
 * through the resumed copy. The copy goes on from the ranges not done each time (a range in flight is settled by its
 * target transaction's fate), and the table ends equal on source and
 * target (row count and content hash), with its primary key built after the rows.
 */
@ExtendWith(ServersPerClass.class)
class ResumableCopyTest {

    @Server("17") static PostgresServer sourceServer;
    @Server("9.6") static PostgresServer oldSourceServer;
    @Server("17") static PostgresServer targetServer;

    static final int ROWS = 400_000;

    @Test
    void blockRangedCopyResumesAfterADaemonKillAndATargetRestartUnderWrites() throws Exception {
        resumesAfterADaemonKillAndATargetRestart(sourceServer, "block", "rc");
    }

    @Test
    void keyRangedCopyResumesAfterADaemonKillAndATargetRestartUnderWrites() throws Exception {
        resumesAfterADaemonKillAndATargetRestart(oldSourceServer, "key", "rk");
    }

    private void resumesAfterADaemonKillAndATargetRestart(PostgresServer sourceServer, String unit, String prefix) throws Exception {
        Db src = Db.create("source", sourceServer, prefix + "src");
        Db dst = Db.create("target", targetServer, prefix + "dst");
        Db repo = Db.create("repository", sourceServer, prefix + "repo"); // not on the target, which restarts
        src.exec("CREATE TABLE big (id int PRIMARY KEY, v text, n int, pad text)",
                "INSERT INTO big SELECT g, md5(g::text), 0, repeat('x', 60) FROM generate_series(1, " + ROWS + ") g", "ANALYZE big");
        Ibex ibex = IbexSetup.install(repo, src, dst);
        ibex.set("copy_split_rows", "10000"); // ranges of about 10,000 rows: 40
        ibex.set("max_backoff", "1");
        ibex.addTables(List.of("big"), Map.of("db", "src", "relgroup", "bigrg"), false);
        ibex.addSync("bigsync", Map.of("relgroup", "bigrg", "db", "src,dst", "onetimecopy", "1"));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        Thread writer = new Thread(() -> write(src, new Random(7), stop, writes, writerError), "big-writer");
        writer.start();
        DaemonProc daemon = new DaemonProc(repo, Files.createTempDirectory("ibex-resume"));
        try {
            long t0 = System.nanoTime();
            start(daemon);
            awaitRangesDone(repo, 8);
            System.out.printf("resume: %d ms to 8 ranges%n", (System.nanoTime() - t0) / 1_000_000);
            daemon.kill();
            long total = repo.queryLong("SELECT count(*) FROM ibex.copy_range WHERE lo IS NOT NULL");
            long doneAtKill = rangesDone(repo);
            assertThat(total).isBetween(30L, 50L);
            assertThat(doneAtKill).as("killed part way").isLessThan(total);
            assertThat(repo.queryLong("SELECT count(*) FROM ibex.copy_range WHERE lo IS NOT NULL AND unit = '" + unit + "'"))
                    .as("a " + sourceServer.version() + " source is read in " + unit + " ranges").isEqualTo(total);
            assertThat(repo.queryLong("SELECT count(*) FROM ibex.copy_range WHERE state <> 'todo' AND lo IS NOT NULL AND target_xid IS NULL"))
                    .as("each range begun records its target transaction").isZero();

            start(daemon);
            awaitRangesDone(repo, doneAtKill + 6);
            long doneAtRestart = rangesDone(repo);
            System.out.printf("resume: %d ms to %d ranges after the kill%n", (System.nanoTime() - t0) / 1_000_000, doneAtRestart);
            targetServer.restart();
            assertThat(doneAtRestart).as("target restarted part way").isLessThan(total);

            Waits.await(Duration.ofSeconds(120), "the copy finished", Waits.quietly(() ->
                    ibex.syncs().get(0).onetimecopy() == 0));
            System.out.printf("resume: %d ms to the copy's end%n", (System.nanoTime() - t0) / 1_000_000);
            Thread.sleep(500);
            stop.set(true);
            writer.join();
            assertThat(writerError.get()).isNull();
            assertThat(writes.get()).isGreaterThan(50);
            Convergence.awaitAllEqual(Duration.ofSeconds(60), List.of("public.big"), List.of(src, dst), repo);
            System.out.printf("resume: %d ms to convergence%n", (System.nanoTime() - t0) / 1_000_000);
            String log = daemon.log();
            log.lines().filter(l -> l.contains("Copied") || l.contains("Resum") || l.contains("Failed") || l.contains("Built")
                    || l.contains("Created")).forEach(l -> System.out.println("daemon: " + l));
            assertThat(log).contains("Resuming the copy to dst", "range(s) were done)");
            assertThat(dst.queryLong("SELECT count(*) FROM pg_index WHERE indrelid = 'big'::regclass AND indisprimary")).isEqualTo(1);
            assertThat(repo.queryLong("SELECT count(*) FROM ibex.copy_range")).as("the ledger is cleared").isZero();
        } finally {
            stop.set(true);
            writer.join();
            daemon.stop();
        }
    }

    private static long rangesDone(Db repo) throws SQLException {
        return repo.queryLong("SELECT count(*) FROM ibex.copy_range WHERE lo IS NOT NULL AND state = 'done'");
    }

    private static void awaitRangesDone(Db repo, long n) throws Exception {
        Waits.await(Duration.ofSeconds(60), n + " ranges done", Waits.quietly(() -> rangesDone(repo) >= n));
    }

    private static void start(DaemonProc daemon) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                daemon.start();
                return;
            } catch (IbexException e) {
                if (!e.getMessage().contains("another ibex daemon") || attempt >= 10) {
                    throw new AssertionError("the daemon did not start again after a kill: " + e.getMessage() + "\n" + daemon.log(), e);
                }
                Thread.sleep(500);
            }
        }
    }

    /** Updates, inserts, deletes and key changes on big, about 100 statements a second, until stopped. */
    private static void write(Db src, Random rnd, AtomicBoolean stop, AtomicLong writes, AtomicReference<Throwable> error) {
        int next = ROWS + 1;
        try (Connection c = src.connect(); Statement s = c.createStatement()) {
            while (!stop.get()) {
                int id = 1 + rnd.nextInt(ROWS);
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
}
