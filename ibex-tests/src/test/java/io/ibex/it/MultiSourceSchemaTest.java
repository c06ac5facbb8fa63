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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 23 on a sync with two sources and a target: a column added on one source only holds that table (one line
 * naming the table, the column and the databases), the sync's other table goes on and nothing is lost; the same
 * column added by hand on the other source is added on the target, 'ibex activate' says the table is released, and
 * every database converges with the column and its values. Then 'ibex ddl' gives a statement to every database.
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
    void aColumnOnOneSourceHoldsThatTableUntilEverySourceHasItThenTheTargetGetsIt() throws Exception {
        List<Db> dbs = new ArrayList<>();
        for (String d : List.of("a", "b", "t")) {
            Db db = Db.create(d, server, "mss" + d);
            db.exec("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT g, 'start' FROM generate_series(1, 100) g",
                    "CREATE TABLE u (id int PRIMARY KEY, w text)");
            dbs.add(db);
        }
        Db repo = Db.create("repository", server, "mssrepo");
        Ibex ibex = new Ibex(repo.spec());
        ibex.install();
        for (Db d : dbs) {
            ibex.addDatabase(d.label(), Replication.dbParams(server, d.name()), false);
        }
        ibex.addTables(List.of("t", "u"), Map.of("db", "a", "relgroup", "rg"), false);
        ibex.addDbGroup("g", List.of("a:source", "b:source", "t:target"));
        ibex.addSync("mm", Map.of("relgroup", "rg", "dbs", "g", "ddl", "hold")); // ddl= at add sync as at update
        assertThat(ibex.syncs()).singleElement().extracting(io.ibex.model.Sync::ddl).isEqualTo("hold");
        ibex.update("sync", "mm", Map.of("ddl", "auto"));
        assertThat(ibex.syncs()).singleElement().extracting(io.ibex.model.Sync::ddl).isEqualTo("auto");
        daemon = new Daemon(repo.spec(), Files.createTempDirectory("mss").resolve("ibex.pid"));
        daemonThread = new Thread(daemon::run);
        daemonThread.start();
        assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).isTrue();

        dbs.get(0).exec("ALTER TABLE t ADD COLUMN c int DEFAULT 5", "UPDATE t SET v = 'a', c = 1000 WHERE id <= 10",
                "INSERT INTO u SELECT g, 'a' FROM generate_series(1, 50) g");
        dbs.get(1).exec("UPDATE t SET v = 'b' WHERE id > 90", "INSERT INTO u SELECT g, 'b' FROM generate_series(51, 100) g");
        kick(ibex);
        assertThat(ibex.status("mm").lastBad()).as("a held table is no run error").isEmpty();
        List<String> held = ibex.status("mm").held();
        assertThat(held).singleElement().asString().startsWith("public.t on every database: ")
                .contains("column public.t.c integer", "\"a\"", "\"b\"", "ibex ddl mm", "ibex activate mm");
        assertThat(ibex.status("mm").currentState()).contains("holding 1 table");
        Convergence.awaitAllEqual(Duration.ofSeconds(30), List.of("public.u"), dbs); // the other table goes on
        assertThat(count(dbs.get(2), "t WHERE v <> 'start'")).as("held: nothing of t moved").isZero();
        ibex.purge(); // the held table's changes are kept
        dbs.get(1).exec("UPDATE t SET v = 'b2' WHERE id BETWEEN 81 AND 90");
        kick(ibex);
        assertThat(ibex.status("mm").held()).hasSize(1);

        // the same column, the same way, by hand on the other source: the target gets it, the table is released
        dbs.get(1).exec("ALTER TABLE t ADD COLUMN c int DEFAULT 5", "UPDATE t SET c = id WHERE id BETWEEN 21 AND 40");
        // the source's commit autokicks the sync, whose run may release the table before activate looks: then activate
        // finds nothing held; otherwise it says it released it
        assertThat(ibex.activateReporting(List.of("mm")).get("mm")).hasSizeLessThanOrEqualTo(1).allSatisfy(line ->
                assertThat(line).startsWith("Released public.t on every database: its columns agree again"));
        Convergence.awaitAllEqual(Duration.ofSeconds(30), List.of("public.t", "public.u"), dbs);
        kick(ibex);
        assertThat(ibex.status("mm").held()).isEmpty();
        assertThat(count(dbs.get(2), "t WHERE v = 'a' AND c = 1000")).isEqualTo(10);
        assertThat(count(dbs.get(2), "t WHERE v = 'b'")).isEqualTo(10);
        assertThat(count(dbs.get(2), "t WHERE v = 'b2'")).isEqualTo(10);
        assertThat(count(dbs.get(2), "t WHERE c = id")).isEqualTo(20);
        assertThat(count(dbs.get(2), "t WHERE c = 5")).isEqualTo(70);

        // 'ibex ddl' on several sources: refused, with nothing run, unless every database accepts it
        dbs.get(2).exec("ALTER TABLE t ADD COLUMN d int");
        assertThatThrownBy(() -> ibex.ddl("mm", "ALTER TABLE t ADD COLUMN d int DEFAULT 1"))
                .hasMessageContaining("refused").hasMessageContaining("database \"t\"").hasMessageContaining("nothing was run");
        assertThat(count(dbs.get(0), "information_schema.columns WHERE table_name = 't' AND column_name = 'd'")).isZero();
        dbs.get(2).exec("ALTER TABLE t DROP COLUMN d");
        // then run on every database in turn; the runs go on with the column
        var r = ibex.ddl("mm", "ALTER TABLE t ADD COLUMN d int DEFAULT 1");
        assertThat(r.ranOn()).containsExactly("a", "b", "t");
        dbs.get(0).exec("UPDATE t SET d = 2 WHERE id <= 5");
        Convergence.awaitAllEqual(Duration.ofSeconds(30), List.of("public.t", "public.u"), dbs);
        assertThat(count(dbs.get(1), "t WHERE d = 2")).isEqualTo(5);

        // a key that gains a column on one source: that table is held with a message naming the change and the way out
        dbs.get(0).exec("ALTER TABLE u ADD COLUMN k int NOT NULL DEFAULT 0", "ALTER TABLE u DROP CONSTRAINT u_pkey",
                "ALTER TABLE u ADD PRIMARY KEY (id, k)");
        dbs.get(0).exec("UPDATE t SET v = 'after key' WHERE id = 1");
        kick(ibex);
        assertThat(ibex.status("mm").held()).singleElement().asString().startsWith("public.u on every database: ")
                .contains("the key of public.u changed on database \"a\" from (id) to (id, k)", "remove the table from the sync");
        Convergence.awaitAllEqual(Duration.ofSeconds(30), List.of("public.t"), dbs); // the other table goes on
    }

    private static void kick(Ibex ibex) {
        var k = ibex.kick("mm");
        assertThat(ibex.awaitRun("mm", k, Duration.ofSeconds(30), d -> { })).isEqualTo(Ibex.KickOutcome.DONE);
    }

    private static long count(Db db, String from) throws Exception {
        try (var c = db.connect(); var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM " + from)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
