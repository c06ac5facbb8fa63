package io.ibex.it;

import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.engine.Daemon;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.Db;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 23 on a sync with two sources and a target: a column added on one source only holds the sync (its runs
 * stop before reading a change, with one line naming the table, the column and the databases) and nothing is lost;
 * 'ibex ddl' then runs the same statement on every database, and the sync converges with the column and its values.
 */
@ExtendWith(ServersPerClass.class)
class MultiSourceSchemaTest {

    @Server("17") static PostgresServer server;

    Daemon daemon;
    Thread daemonThread;

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.requestStop();
            daemonThread.join(60_000);
        }
    }

    @Test
    void aColumnOnOneSourceHoldsTheSyncUntilIbexDdlGivesItToEveryDatabase() throws Exception {
        List<Db> dbs = new ArrayList<>();
        for (String d : List.of("a", "b", "t")) {
            Db db = Db.create(d, server, "mss" + d);
            db.exec("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT g, 'start' FROM generate_series(1, 100) g");
            dbs.add(db);
        }
        Db repo = Db.create("repository", server, "mssrepo");
        Ibex ibex = new Ibex(repo.spec());
        ibex.install();
        for (Db d : dbs) {
            ibex.addDatabase(d.label(), Replication.dbParams(server, d.name()), false);
        }
        ibex.addTables(List.of("t"), Map.of("db", "a", "relgroup", "rg"), false);
        ibex.addDbGroup("g", List.of("a:source", "b:source", "t:target"));
        ibex.addSync("mm", Map.of("relgroup", "rg", "dbs", "g"));
        daemon = new Daemon(repo.spec(), Files.createTempDirectory("mss").resolve("ibex.pid"));
        daemonThread = new Thread(daemon::run);
        daemonThread.start();
        assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).isTrue();

        dbs.get(0).exec("ALTER TABLE t ADD COLUMN c int DEFAULT 5", "UPDATE t SET v = 'a' WHERE id <= 10");
        dbs.get(1).exec("UPDATE t SET v = 'b' WHERE id > 90");
        var k = ibex.kick("mm");
        ibex.awaitRun("mm", k, Duration.ofSeconds(30), d -> { });
        String error = ibex.status("mm").lastBad().orElseThrow().error();
        assertThat(error).contains("column public.t.c integer", "\"a\"", "\"b\"", "ibex ddl mm");
        try (var c = dbs.get(2).connect(); var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM t WHERE v <> 'start'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("held: nothing moved").isZero();
        }

        dbs.get(0).exec("ALTER TABLE t DROP COLUMN c"); // undone on a, then given to every database the same way
        var r = ibex.ddl("mm", "ALTER TABLE t ADD COLUMN c int DEFAULT 5");
        assertThat(r.ranOn()).containsExactly("a", "b", "t");
        dbs.get(1).exec("UPDATE t SET c = id WHERE id BETWEEN 21 AND 40"); // keys no other database changed: no conflict
        Convergence.awaitAllEqual(Duration.ofSeconds(30), List.of("public.t"), dbs);
        try (var c = dbs.get(2).connect(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FILTER (WHERE v = 'a'), count(*) FILTER (WHERE v = 'b'), sum(c) FROM t")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(10);
            assertThat(rs.getLong(2)).isEqualTo(10);
            assertThat(rs.getLong(3)).isEqualTo((21 + 40) * 20 / 2 + 80 * 5);
        }
    }
}
