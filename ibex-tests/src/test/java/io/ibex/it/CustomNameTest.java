package io.ibex.it;

import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
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
 * Issue 26's customname through the command line: a table replicated into a differently named table in the same
 * database (two ibex databases over one PostgreSQL database) and into another schema and name on a second database,
 * initial copy and changes; verify compares by the same names; list and remove; the most specific row wins.
 */
@ExtendWith(ServersPerClass.class)
class CustomNameTest {

    @Server("17") static PostgresServer server;
    static final AtomicInteger SEQ = new AtomicInteger();

    final String prefix = "cn" + SEQ.incrementAndGet();
    Path home;

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

    TableDigest.Digest digest(String db, String schema, String table) throws Exception {
        try (Connection c = server.connect(prefix + db)) {
            return TableDigest.of(c, schema, table, List.of());
        }
    }

    void addDb(String name, String dbname) {
        ok("add", "db", name, "dbname=" + prefix + dbname, "dbhost=localhost", "dbport=" + server.port(), "dbuser=postgres");
    }

    @Test
    void aTableIsReplicatedUnderOtherNamesWithinOneDatabaseAndOnAnother() throws Exception {
        home = Files.createTempDirectory(prefix);
        server.createDatabase(prefix + "repo");
        server.createDatabase(prefix + "a");
        server.createDatabase(prefix + "b");
        server.execute(prefix + "a", "CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE t_copy (id int PRIMARY KEY, v text);"
                + "INSERT INTO t SELECT g, 'start ' || g FROM generate_series(1, 5000) g");
        server.execute(prefix + "b", "CREATE SCHEMA other; CREATE TABLE other.t2 (id int PRIMARY KEY, v text); CREATE TABLE t (id int PRIMARY KEY, v text)");
        ok("install");
        addDb("a", "a");
        addDb("same", "a"); // the source database again, under another name: replication within one database
        addDb("b", "b");
        ok("add", "table", "t", "db=a", "relgroup=r");

        assertThat(ok("add", "customname", "public.t", "t_copy", "db=same")).contains("public.t is written as public.t_copy on database \"same\"");
        assertThat(ok("add", "customname", "t", "other.t2", "db=b")).contains("written as other.t2");
        assertThat(fails("add", "customname", "t", "other.t3", "db=b")).contains("already has a custom name");
        assertThat(fails("add", "customname", "t")).contains("give the table and its new name");
        assertThat(fails("add", "customname", "nosuch", "x")).contains("no table named \"nosuch\"");
        assertThat(fails("add", "customname", "t", "x", "db=nosuch")).contains("nosuch");
        ok("add", "sync", "s", "relgroup=r", "dbs=a:source,same:target,b:target", "onetimecopy=1");
        // a row for this sync only beats the row for every sync on b, and is removed again: the db-wide one applies
        String scoped = ok("add", "customname", "t", "t", "db=b", "sync=s");
        assertThat(ok("list", "customname")).contains("public.t => public.t_copy  DB: same  Sync: every sync")
                .contains("public.t => other.t2  DB: b  Sync: every sync").contains("public.t => public.t  DB: b  Sync: s");
        ok("remove", "customname", scoped.substring("Added customname ".length(), scoped.indexOf(':')));
        assertThat(ok("list", "customname")).doesNotContain("Sync: s");
        assertThat(ok("list", "tables", "-v")).contains("Custom name: other.t2").contains("Custom name: public.t_copy");
        assertThat(ok("validate", "s")).contains("OK");

        Ibex api = new Ibex(new ConnectionSpec("localhost", server.port(), prefix + "repo", "postgres", null));
        try (InProcessDaemon daemon = new InProcessDaemon(api.repositorySpec())) {
            assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).isTrue();
            assertThat(ok("kick", "s", "60")).contains("DONE");
            server.execute(prefix + "a", "UPDATE t SET v = 'changed' WHERE id % 7 = 0; DELETE FROM t WHERE id > 4900;"
                    + "INSERT INTO t SELECT g, 'new ' || g FROM generate_series(6000, 6100) g");
            assertThat(ok("kick", "s", "60")).contains("DONE");
        }
        TableDigest.Digest source = digest("a", "public", "t");
        assertThat(source.rows()).isEqualTo(5001);
        assertThat(digest("a", "public", "t_copy")).as("t_copy in the same database").isEqualTo(source);
        assertThat(digest("b", "other", "t2")).as("other.t2 on b").isEqualTo(source);
        assertThat(digest("b", "public", "t").rows()).as("b's own t is left alone").isZero();
        ok("update", "sync", "s", "onetimecopy=0");
        Result validated = run("validate", "s");
        assertThat(validated.code()).isZero();
        assertThat(validated.err()).as("the filled other.t2 is looked at, not b's empty public.t").isEmpty();
        assertThat(ok("verify", "s")).contains("public.t on same: identical (5,001 rows)").contains("public.t on b: identical (5,001 rows)");

        ok("remove", "customname", "all");
        assertThat(ok("list", "customname")).contains("No customnames found.");
        assertThat(run("verify", "s").code()).as("without the custom names, b's empty public.t differs").isNotZero();
    }
}
