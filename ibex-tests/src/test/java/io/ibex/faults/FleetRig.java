package io.ibex.faults;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Bank;
import io.ibex.testkit.CommandLine;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.Db;
import io.ibex.testkit.Fleet;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.TargetWriteAudit;
import io.ibex.workload.Pgbench;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the fleet fault tests share: a pgbench source, a target, a repository on a server of its own (so that it can
 * be restarted alone), sync "bank", a fleet of named daemons (each reaching the repository through a proxy of its
 * own), an audit of who writes on the target, and a TPC-B-like load on the source.
 */
final class FleetRig implements AutoCloseable {

    static final String SYNC = "bank";
    static final List<String> TABLES = Bank.TABLES;
    private static final AtomicInteger SEQ = new AtomicInteger();

    final Db src;
    final Db dst;
    final Db repo;
    final Ibex ibex;
    final Fleet fleet;
    final TargetWriteAudit audit;
    private final PostgresServer sourceServer;
    private Pgbench.Load load;

    /** leaseSeconds 0: the default. */
    FleetRig(PostgresServer sourceServer, PostgresServer targetServer, PostgresServer repoServer, List<String> daemons, int leaseSeconds)
            throws Exception {
        this.sourceServer = sourceServer;
        long t0 = System.nanoTime();
        int n = SEQ.incrementAndGet();
        src = Db.create("source", sourceServer, "flsrc" + n);
        dst = Db.create("target", targetServer, "fldst" + n);
        repo = Db.create("repository", repoServer, "flrepo" + n);
        Bank.initialize(src, dst, 1, 10, 5_000);
        ibex = IbexSetup.install(repo, src, dst);
        if (leaseSeconds > 0) {
            ibex.set("lease_seconds", String.valueOf(leaseSeconds));
        }
        ibex.addTables(List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers"), Map.of("db", "src", "relgroup", "bank"), false);
        ibex.addSync(SYNC, Map.of("relgroup", "bank", "db", "src,dst", "onetimecopy", "1"));
        fleet = new Fleet(repo, daemons, true);
        audit = TargetWriteAudit.start(dst, TABLES, fleet.daemons());
        long t1 = System.nanoTime();
        fleet.start();
        long t2 = System.nanoTime();
        // the initial copy (Bank leaves the target empty), by whichever daemon takes the lease first
        Convergence.awaitAllEqual(Duration.ofSeconds(120), TABLES, List.of(src, dst), repo);
        System.out.printf("FleetRig: databases and sync in %d ms, %d daemons started in %d ms, initial copy done %d ms later%n",
                (t1 - t0) / 1_000_000, daemons.size(), (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
    }

    /** Starts the TPC-B-like load on the source (3 clients, 150 transactions a second in all). */
    FleetRig load(long seed) throws Exception {
        load = new Pgbench.Load(sourceServer.connectionSupplier(src.name()), 3).rate(150).seed(seed).start();
        return this;
    }

    /**
     * Stops the load, waits until every table has the same row count and content hash on source and target, and
     * checks that {@code ibex verify} finds every table identical. Returns how long convergence took.
     */
    Duration converge(Duration timeout) throws Exception {
        if (load != null) {
            load.stop();
        }
        Duration took = Convergence.awaitAllEqual(timeout, TABLES, List.of(src, dst), repo);
        CommandLine.Result v = CommandLine.bare(repo.server().port(), repo.name(), Files.createTempDirectory("ibex-verify")).run("verify", SYNC);
        assertThat(v.code()).as("ibex verify %s\n%s%s", SYNC, v.out(), v.err()).isZero();
        assertThat(v.out()).contains("verify: every table is identical");
        return took;
    }

    long transactions() {
        return load == null ? 0 : load.transactions();
    }

    @Override
    public void close() throws Exception {
        if (load != null) {
            load.stop();
        }
        audit.close();
        fleet.close();
    }
}
