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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Servers that go away under a write load while the daemon runs: a target stopped in immediate mode for a while,
 * the source crashed and restarted while ibex reads from it, the repository crashed and restarted. No one repairs
 * anything or restarts the daemon; every table ends equal on source and target and the sync Good again.
 * Source, target and repository each have their own server.
 */
@ExtendWith(ServersPerClass.class)
class ServerOutageTest {

    @Server("17") static PostgresServer sourceServer;
    @Server("9.6") static PostgresServer targetServer;
    @Server("17") static PostgresServer repoServer;
    static final AtomicInteger SEQ = new AtomicInteger();
    static final List<String> TABLES = Bank.TABLES;

    Db src;
    Db dst;
    Db repo;
    Ibex ibex;

    /** A pgbench source, an empty target, a repository and a sync with onetimecopy; returns once the copy is done. */
    InProcessDaemon setup() throws Exception {
        int n = SEQ.incrementAndGet();
        src = Db.create("source", sourceServer, "outsrc" + n);
        dst = Db.create("target", targetServer, "outdst" + n);
        repo = Db.create("repository", repoServer, "outrepo" + n);
        Bank.initialize(src, dst, 2, 20, 20_000);
        ibex = IbexSetup.install(repo, src, dst);
        ibex.addTables(List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers"), Map.of("db", "src", "relgroup", "bank"), false);
        ibex.addSync("bank", Map.of("relgroup", "bank", "db", "src,dst", "onetimecopy", "1"));
        InProcessDaemon daemon = new InProcessDaemon(repo.spec());
        Convergence.awaitAllEqual(Duration.ofSeconds(60), TABLES, List.of(src, dst));
        return daemon;
    }

    Pgbench.Load load() throws Exception {
        return new Pgbench.Load(sourceServer.connectionSupplier(src.name()), 3).rate(200).start();
    }

    /** Stops the load, waits for convergence and a Good sync with the daemon still running, and reports. */
    void finish(String fault, InProcessDaemon daemon, Pgbench.Load load, long started) throws Exception {
        load.stop();
        Duration took = Convergence.awaitAllEqual(Duration.ofSeconds(120), TABLES, List.of(src, dst), repo);
        Waits.await(Duration.ofSeconds(60), "sync Good", Waits.quietly(() -> ibex.status("bank").currentState().equals("Good")));
        assertThat(daemon.alive()).as("the daemon survived (%s)", daemon.died()).isTrue();
        List<String> errors = Diagnostics.runErrors(repo, "bank");
        System.out.printf("faults: %s survived; %d pgbench transactions (%d failed during the outage); %d failed runs, e.g. %s; "
                        + "converged %d ms after the load stopped; test took %d s%n", fault, load.transactions(), load.errors(), errors.size(),
                errors.isEmpty() ? "-" : errors.get(errors.size() - 1), took.toMillis(), (System.nanoTime() - started) / 1_000_000_000);
        daemon.close();
    }

    @Test
    void aTargetStoppedInImmediateModeForAWhileCatchesUpWhenStartedAgain() throws Exception {
        long started = System.nanoTime();
        InProcessDaemon daemon = setup();
        Pgbench.Load load = load();
        try {
            Thread.sleep(2000);
            targetServer.stopImmediately();
            long down = System.nanoTime();
            Waits.await(Duration.ofSeconds(30), "sync Bad while the target is down",
                    Waits.quietly(() -> ibex.status("bank").currentState().equals("Bad")));
            Thread.sleep(4000);
            targetServer.start();
            System.out.printf("faults: target down for %d ms%n", (System.nanoTime() - down) / 1_000_000);
            Thread.sleep(2000);
            finish("a target stopped (immediate) and started again", daemon, load, started);
        } finally {
            targetServer.start();
            load.stop();
            daemon.close();
        }
    }

    @Test
    void aSourceCrashedAndRestartedWhileIbexReadsFromItLosesNothing() throws Exception {
        long started = System.nanoTime();
        InProcessDaemon daemon = setup();
        Pgbench.Load load = load();
        int readsCut = 0;
        try {
            for (int i = 0; i < 3; i++) {
                Thread.sleep(1500);
                // wait until a batch reads the source, then crash the source (immediate mode) or restart it (fast)
                boolean reading = false;
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                try (Connection c = src.connect()) {
                    while (!reading && System.nanoTime() < deadline) {
                        reading = Diagnostics.ibexBackends(c).stream().anyMatch(b -> b[2].equals("ibex-reader")
                                && (b[3].equals("active") || b[3].startsWith("idle in transaction")));
                    }
                }
                readsCut += reading ? 1 : 0;
                if (i % 2 == 0) {
                    sourceServer.stopImmediately();
                } else {
                    sourceServer.stop();
                }
                Thread.sleep(1500);
                sourceServer.start();
            }
            System.out.printf("faults: source restarted 3 times, %d of them during a read by ibex%n", readsCut);
            Thread.sleep(2000);
            finish("3 source restarts (2 crashes, 1 fast restart)", daemon, load, started);
        } finally {
            sourceServer.start();
            load.stop();
            daemon.close();
        }
    }

    @Test
    void theRepositoryRestartedUnderLoadIsSurvived() throws Exception {
        long started = System.nanoTime();
        InProcessDaemon daemon = setup();
        Pgbench.Load load = load();
        try {
            Thread.sleep(2000);
            repoServer.stopImmediately();
            Thread.sleep(3000);
            repoServer.start();
            Thread.sleep(3000);
            repoServer.restart();
            Thread.sleep(2000);
            // the daemon holds the repository's advisory lock again: a second daemon is still refused
            Waits.await(Duration.ofSeconds(30), "the daemon to hold the repository lock again", Waits.quietly(() ->
                    repo.queryLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = " + 0x69626578L
                    + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") == 1));
            finish("2 repository restarts (a crash, a fast restart)", daemon, load, started);
        } finally {
            repoServer.start();
            load.stop();
            daemon.close();
        }
    }
}
