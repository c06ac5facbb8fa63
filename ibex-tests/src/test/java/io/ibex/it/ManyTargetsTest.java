package io.ibex.it;

import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.engine.Daemon;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.verify.TableDigest;
import io.ibex.workload.Pgbench;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One source, three targets; one target's server is stopped in the middle of a write load. The other two keep
 * up while it is away; when it returns it catches up by itself, and every target ends identical to the source.
 */
@ExtendWith(ServersPerClass.class)
class ManyTargetsTest {

    @Server("17") static PostgresServer source;
    @Server("17") static PostgresServer steady;
    @Server("9.6") static PostgresServer flaky;

    static final List<String> TABLES = List.of("public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers");

    static Map<String, TableDigest.Digest> digest(PostgresServer s, String db) throws Exception {
        try (Connection c = s.connect(db)) {
            return TableDigest.ofAll(c, TABLES);
        }
    }

    @Test
    void aTargetThatIsDownDoesNotHoldBackTheOthersAndCatchesUpWhenBack() throws Exception {
        source.createDatabase("bank");
        steady.createDatabase("t1");
        steady.createDatabase("t2");
        flaky.createDatabase("t3");
        steady.createDatabase("ibexrepo");
        try (Connection s = source.connect("bank")) {
            Pgbench.initialize(s, 1, 10, 20_000);
        }
        Ibex ibex = new Ibex(new ConnectionSpec("localhost", steady.port(), "ibexrepo", "postgres", null));
        ibex.install();
        ibex.addDatabase("src", Replication.dbParams(source, "bank"), false);
        ibex.addDatabase("t1", Replication.dbParams(steady, "t1"), false);
        ibex.addDatabase("t2", Replication.dbParams(steady, "t2"), false);
        ibex.addDatabase("t3", Replication.dbParams(flaky, "t3"), false);
        for (var t : List.of(steady.connect("t1"), steady.connect("t2"), flaky.connect("t3"))) {
            try (t) {
                Pgbench.createSchemaOnly(t);
            }
        }
        ibex.addTables(List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers"), Map.of("db", "src", "herd", "bank"), false);
        ibex.addSync("fanout", Map.of("relgroup", "bank", "db", "src,t1,t2,t3", "onetimecopy", "1"));
        Daemon daemon = new Daemon(ibex.repositorySpec(), Files.createTempDirectory("mt").resolve("ibex.pid"));
        Thread dt = new Thread(daemon::run);
        dt.start();
        try {
            Pgbench.Load load = new Pgbench.Load(source.connectionSupplier("bank"), 3).duration(Duration.ofSeconds(12)).start();
            Thread.sleep(3000);
            flaky.stopImmediately();
            Thread.sleep(3000);
            // while t3 is away, t1 keeps up with the source: its backlog stays small
            var status = ibex.status("fanout");
            for (int i = 0; i < 50 && !status.currentState().equals("Bad"); i++) {
                Thread.sleep(200);
                status = ibex.status("fanout");
            }
            assertThat(status.currentState()).isEqualTo("Bad");
            assertThat(status.backlog().get("t1")).isLessThan(status.backlog().get("t3"));
            Thread.sleep(2000);
            flaky.start();
            load.awaitDone();
            Map<String, TableDigest.Digest> expected = digest(source, "bank");
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < deadline && !(expected.equals(digest(steady, "t1")) && expected.equals(digest(steady, "t2"))
                    && expected.equals(digest(flaky, "t3")))) {
                Thread.sleep(500);
            }
            assertThat(digest(steady, "t1")).isEqualTo(expected);
            assertThat(digest(steady, "t2")).isEqualTo(expected);
            assertThat(digest(flaky, "t3")).isEqualTo(expected);
            long deadline2 = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!ibex.status("fanout").currentState().equals("Good") && System.nanoTime() < deadline2) {
                Thread.sleep(500);
            }
            assertThat(ibex.status("fanout").currentState()).isEqualTo("Good");
        } finally {
            daemon.requestStop();
            dt.join(60_000);
        }
    }
}
