package io.ibex.it;

import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.model.Relation;
import io.ibex.testkit.CommandLine;
import io.ibex.testkit.CommandLine.Result;
import io.ibex.testkit.InProcessDaemon;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.verify.TableDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 26's grammar that Bucardo users type, through the command line: add db group=/service=/addalltables/
 * addallsequences, the dbg alias, update dbgroup, add table autokick=/rebuild_index=, add tables pkonly, sequences in
 * add relgroup, db= on update|inspect|remove table, remove table all, list -v, ping, start --exit-on-nosync, and
 * conflict_strategy=bucardo_latest_all_tables deciding by the table's newest change.
 */
@ExtendWith(ServersPerClass.class)
class BucardoGrammarTest {

    @Server("17") static PostgresServer server;
    static final AtomicInteger SEQ = new AtomicInteger();
    static final String TABLES = "CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE nokey (x int); CREATE SEQUENCE s1;"
            + "INSERT INTO t SELECT g, 'start ' || g FROM generate_series(1, 1000) g";

    final String prefix = "bg" + SEQ.incrementAndGet();
    Path home;

    void setUp(String... dbs) throws Exception {
        home = Files.createTempDirectory(prefix);
        server.createDatabase(prefix + "repo");
        for (String db : dbs) {
            server.createDatabase(prefix + db);
            server.execute(prefix + db, TABLES);
        }
        ok("install");
    }

    Result run(String... words) {
        return CommandLine.of(server.port(), prefix + "repo", home, home).run(words);
    }

    String ok(String... words) {
        Result r = run(words);
        assertThat(r.code()).as("ibex %s\nout: %s\nerr: %s", String.join(" ", words), r.out(), r.err()).isZero();
        return r.out();
    }

    String fails(String... words) {
        Result r = run(words);
        assertThat(r.code()).as("ibex %s\nout: %s", String.join(" ", words), r.out()).isEqualTo(1);
        assertThat(r.err()).startsWith("ibex: ").doesNotContain("Exception").hasLineCount(1);
        return r.err();
    }

    String[] addDb(String name, String... more) {
        List<String> w = new java.util.ArrayList<>(List.of("add", "db", name, "dbname=" + prefix + name, "dbhost=localhost",
                "dbport=" + server.port(), "dbuser=postgres"));
        w.addAll(List.of(more));
        return w.toArray(String[]::new);
    }

    Ibex api() {
        return new Ibex(new ConnectionSpec("localhost", server.port(), prefix + "repo", "postgres", null));
    }

    TableDigest.Digest digest(String db) throws Exception {
        try (Connection c = server.connect(prefix + db)) {
            return TableDigest.of(c, "public", "t", List.of());
        }
    }

    @Test
    void theSetUpFormsOfBucardoAreTaken() throws Exception {
        setUp("a", "b", "c");
        ok(addDb("a", "group=G:source", "addalltables", "addallsequences"));
        ok(addDb("b", "group=G"));
        Files.writeString(home.resolve(".pg_service.conf"), "[csvc]\nhost=localhost\nport=" + server.port() + "\ndbname=" + prefix + "c\nuser=postgres\n");
        ok("add", "db", "c", "service=csvc");
        assertThat(fails("add", "db", "d", "service=nosuch")).contains("service \"nosuch\" is in no service file");
        assertThat(ok("list", "dbs")).contains("Database: c").contains("-d " + prefix + "c");
        assertThat(ok("list", "dbg")).contains("Dbgroup: G  Members: a:source b:target");
        assertThat(api().relations()).extracting(r -> r.db() + ":" + r.qualifiedName())
                .containsExactlyInAnyOrder("a:public.t", "a:public.nokey", "a:public.s1");

        ok("add", "dbg", "G2", "a:source", "c:target");
        ok("update", "dbgroup", "G2", "add", "b:target");
        ok("update", "dbgroup", "G2", "c:fullcopy");
        assertThat(ok("list", "dbgroups", "G2")).contains("Members: a:source c:fullcopy b:target");
        ok("update", "dbg", "G2", "remove", "c");
        assertThat(ok("list", "dbgroups", "G2")).contains("Members: a:source b:target");
        assertThat(fails("update", "dbgroup", "G2", "remove", "c")).contains("\"c\" is not a database of dbgroup \"G2\"");
        assertThat(fails("update", "dbgroup", "G2", "name=G3")).contains("renaming a dbgroup is not supported");

        // per-table settings at add table; pkonly; a sequence named in add relgroup; db= on the table commands
        ok("add", "table", "t", "db=b", "autokick=off", "rebuild_index=1");
        assertThat(api().relations()).filteredOn(r -> r.db().equals("b")).singleElement()
                .satisfies(r -> assertThat(r.autokick()).isFalse()).satisfies(r -> assertThat(r.rebuildIndex()).isEqualTo(1));
        ok("add", "tables", "pkonly", "db=c");
        assertThat(api().relations()).filteredOn(r -> r.db().equals("c")).extracting(Relation::qualifiedName).containsExactly("public.t");
        assertThat(ok("add", "relgroup", "r", "t", "s1", "db=a")).contains("public.s1").contains("public.t");
        assertThat(api().relGroups()).filteredOn(g -> g.name().equals("r")).singleElement()
                .satisfies(g -> assertThat(g.members()).extracting(Relation::type).containsExactlyInAnyOrder("table", "sequence"));
        ok("update", "table", "t", "db=b", "autokick=on");
        assertThat(ok("inspect", "table", "t", "db=b")).contains("Database: b").contains("autokick=on");
        ok("remove", "table", "t", "db=c");
        ok("remove", "table", "all", "db=b");
        assertThat(api().relations()).extracting(Relation::db).containsOnly("a");

        ok("add", "sync", "s", "relgroup=r", "dbs=G");
        assertThat(ok("list", "syncs", "-v")).contains("  Databases: a:source, b:target").contains("  Tables: public.s1, public.t");
        assertThat(ok("list", "tables", "--verbose")).contains("Table: public.t  DB: a").contains("  Syncs: s");
        assertThat(ok("list", "dbs", "-v", "a")).contains("  Dbgroups: G:source, G2:source");
        assertThat(fails("remove", "table", "all")).contains("replicated by sync \"s\"");
        assertThat(api().relations()).as("nothing half-done").hasSize(3);
    }

    @Test
    void aTargetAddedByUpdateDbgroupReceivesTheSyncAndPingAndExitOnNosyncAnswer() throws Exception {
        setUp("a", "b", "c");
        ok(addDb("a"));
        ok(addDb("b"));
        ok(addDb("c"));
        server.execute(prefix + "c", "TRUNCATE t");
        assertThat(fails("start", "--exit-on-nosync")).contains("there is no active sync");
        assertThat(fails("ping", "timeout=1")).contains("no ibex daemon answered within 1 s");
        ok("add", "table", "t", "db=a", "relgroup=r");
        ok("add", "dbgroup", "G", "a:source", "b:target");
        ok("add", "sync", "s", "relgroup=r", "dbs=G");
        try (InProcessDaemon daemon = new InProcessDaemon(api().repositorySpec())) {
            assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).isTrue();
            assertThat(ok("ping")).startsWith("OK: the ibex daemon answered in ");
            ok("update", "dbgroup", "G", "add", "c:target");
            ok("update", "sync", "s", "onetimecopy=1");
            server.execute(prefix + "a", "UPDATE t SET v = 'changed' WHERE id <= 100; INSERT INTO t VALUES (5000, 'new')");
            assertThat(ok("kick", "s", "60")).contains("DONE");
        }
        assertThat(digest("a").rows()).isEqualTo(1001);
        assertThat(digest("b")).isEqualTo(digest("a"));
        assertThat(digest("c")).as("the target added by update dbgroup").isEqualTo(digest("a"));
    }

    @Test
    void bucardoLatestAllTablesGivesEveryConflictingKeyToTheSourceWithTheTablesNewestChange() throws Exception {
        setUp("a", "b");
        ok(addDb("a"));
        ok(addDb("b"));
        ok("add", "table", "t", "db=a", "relgroup=r");
        ok("add", "sync", "mm", "relgroup=r", "dbs=a:source,b:source", "conflict_strategy=bucardo_latest_all_tables");
        // key 1: b changed it last; but a's change to key 2 is the table's newest: a wins key 1 (per row, b would)
        server.execute(prefix + "a", "UPDATE t SET v = 'from a' WHERE id = 1");
        Thread.sleep(20);
        server.execute(prefix + "b", "UPDATE t SET v = 'from b' WHERE id = 1");
        Thread.sleep(20);
        server.execute(prefix + "a", "UPDATE t SET v = 'a again' WHERE id = 2");
        try (InProcessDaemon daemon = new InProcessDaemon(api().repositorySpec())) {
            assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).isTrue();
            assertThat(ok("kick", "mm", "60")).contains("DONE");
        }
        assertThat(digest("b")).isEqualTo(digest("a"));
        try (Connection b = server.connect(prefix + "b"); var rs = b.createStatement().executeQuery("SELECT v FROM t WHERE id = 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("from a");
        }
        assertThat(ok("list", "conflicts", "mm")).contains("Winner: a").contains("Strategy: latest_table");
    }
}
