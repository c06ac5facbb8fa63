package io.ibex.it;

import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.engine.Daemon;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.verify.TableDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cascade A to B to C: with makedelta on B, the rows ibex applies to B are captured again for the sync that
 * reads B. Without it they are not (nothing ping-pongs). Also: two syncs over the same tables, independent.
 */
@ExtendWith(ServersPerClass.class)
class CascadeTest {

    @Server("17") static PostgresServer server;

    static TableDigest.Digest digest(String db) throws Exception {
        try (Connection c = server.connect(db)) {
            return TableDigest.of(c, "public", "t", List.of("id"));
        }
    }

    @Test
    void makedeltaCarriesChangesOnFromBToC() throws Exception {
        for (String db : List.of("ca", "cb", "cc", "cd", "crepo")) {
            server.createDatabase(db);
        }
        for (String db : List.of("ca", "cb", "cc", "cd")) {
            server.execute(db, "CREATE TABLE t (id int PRIMARY KEY, v text)");
        }
        Ibex ibex = new Ibex(new ConnectionSpec("localhost", server.port(), "crepo", "postgres", null));
        ibex.install();
        ibex.addDatabase("a", Replication.dbParams(server, "ca"), false);
        ibex.addDatabase("b", Replication.dbParams(server, "cb"), false);
        ibex.addDatabase("c", Replication.dbParams(server, "cc"), false);
        ibex.addDatabase("d", Replication.dbParams(server, "cd"), false);
        ibex.addTables(List.of("t"), Map.of("db", "a", "relgroup", "from_a"), false);
        ibex.addTables(List.of("t"), Map.of("db", "b", "relgroup", "from_b"), false);
        ibex.addSync("a_to_b", Map.of("relgroup", "from_a", "db", "a,b"));
        ibex.addSync("b_to_c", Map.of("relgroup", "from_b", "db", "b,c"));
        // a second, independent sync over the same table of a
        ibex.addSync("a_to_d", Map.of("relgroup", "from_a", "db", "a,d"));
        Daemon daemon = new Daemon(ibex.repositorySpec(), Files.createTempDirectory("cascade").resolve("ibex.pid"));
        Thread dt = new Thread(daemon::run);
        dt.start();
        assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).isTrue();
        try {
            server.execute("ca", "INSERT INTO t SELECT g, 'from a' FROM generate_series(1, 100) g");
            await(() -> digest("cb").equals(digest("ca")) && digest("cd").equals(digest("ca")));
            Thread.sleep(1500);
            assertThat(digest("cc").rows()).as("without makedelta, rows applied to b stay there").isZero();

            ibex.update("db", "b", Map.of("makedelta", "on"));
            server.execute("ca", "UPDATE t SET v = 'changed on a' WHERE id <= 50; INSERT INTO t VALUES (500, 'new on a')");
            server.execute("cb", "INSERT INTO t VALUES (900, 'written on b')");
            // c gets what a changed after makedelta was turned on (through b), and what was written on b itself
            await(() -> digest("cb").rows() == 102 && digest("cc").rows() == 52);
            try (Connection c = server.connect("cc"); var rs = c.createStatement().executeQuery(
                    "SELECT count(*) FILTER (WHERE v = 'changed on a'), count(*) FILTER (WHERE id = 900) FROM t")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(50);
                assertThat(rs.getLong(2)).isEqualTo(1);
            }
            assertThat(digest("cd")).isEqualTo(digest("ca"));
        } finally {
            daemon.requestStop();
            dt.join(60_000);
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!check.ok()) {
            assertThat(System.nanoTime()).as("timed out").isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
