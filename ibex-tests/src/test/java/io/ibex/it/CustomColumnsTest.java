package io.ibex.it;

import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.CommandLine;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.Db;
import io.ibex.testkit.InProcessDaemon;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * customcols through the command line: one target gets a subset of the source's columns and an expression over
 * them, another every column; the initial copy, the changes and verify all use the list.
 */
@ExtendWith(ServersPerClass.class)
class CustomColumnsTest {

    @Server("17") static PostgresServer server;

    InProcessDaemon daemon;
    Path home;

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    CommandLine.Result run(String... words) {
        return CommandLine.of(server.port(), "ccolsrepo", home, home).run(words);
    }

    String ok(String... words) {
        CommandLine.Result r = run(words);
        assertThat(r.code()).as("ibex %s\nout: %s\nerr: %s", String.join(" ", words), r.out(), r.err()).isZero();
        return r.out();
    }

    Db db(String name, String sql) throws Exception {
        Db d = Db.create(name, server, "ccols" + name);
        d.exec(sql);
        ok("add", "db", name, "dbname=" + d.name(), "dbhost=localhost", "dbport=" + server.port(), "dbuser=postgres");
        return d;
    }

    /** Row count and hash of the rows the subset target must hold, computed on each side by its own query. */
    static String fingerprint(Db d, String select) throws Exception {
        return String.valueOf(d.queryLong("SELECT count(*) FROM t")) + " "
                + column(d, "SELECT md5(coalesce(string_agg(x::text, ';' ORDER BY x.id), '')) FROM (" + select + ") x");
    }

    static String column(Db d, String sql) throws Exception {
        try (var c = d.connect(); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aTargetGetsASubsetAndAnExpressionInCopyChangesAndVerify() throws Exception {
        home = Files.createTempDirectory("ccols");
        server.createDatabase("ccolsrepo");
        ok("install");
        Db s = db("s", "CREATE TABLE t (id int PRIMARY KEY, name text, secret text, n int);"
                + "INSERT INTO t SELECT g, 'name' || g, 'hidden' || g, g FROM generate_series(1, 500) g");
        Db sub = db("sub", "CREATE TABLE t (id int PRIMARY KEY, name text, n2 bigint)");
        Db full = db("full", "CREATE TABLE t (id int PRIMARY KEY, name text, secret text, n int)");
        ok("add", "table", "t", "db=s", "relgroup=rg");
        assertThat(ok("add", "customcols", "t", "SELECT id, name, n::bigint * 2 AS n2", "db=sub"))
                .contains("for public.t: id, name, n2");
        assertThat(ok("list", "customcols")).contains("Table: public.t  Sync: all  DB: sub  Columns: SELECT id, name, n::bigint * 2 AS n2");
        ok("add", "sync", "sy", "relgroup=rg", "db=s,sub,full", "onetimecopy=1", "autokick=0");
        daemon = new InProcessDaemon(new ConnectionSpec("localhost", server.port(), "ccolsrepo", "postgres", null));
        assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).isTrue();
        ok("kick", "sy", "60");
        String expected = "SELECT id, name, n::bigint * 2 AS n2 FROM t";
        String got = "SELECT id, name, n2 FROM t";
        assertThat(fingerprint(sub, got)).isEqualTo(fingerprint(s, expected)).startsWith("500 ");

        s.exec("UPDATE t SET n = n + 1000, secret = 'changed' WHERE id % 7 = 0", "DELETE FROM t WHERE id % 11 = 0",
                "INSERT INTO t SELECT g, 'new' || g, 'x', g FROM generate_series(501, 600) g");
        ok("kick", "sy", "60");
        assertThat(fingerprint(sub, got)).isEqualTo(fingerprint(s, expected));
        Convergence.awaitAllEqual(Duration.ofSeconds(30), List.of("public.t"), List.of(s, full));
        assertThat(ok("verify", "sy")).contains("every table is identical");

        sub.exec("UPDATE t SET n2 = -1 WHERE id = 3"); // a difference only the expression's column shows
        CommandLine.Result differs = run("verify", "sy");
        assertThat(differs.code()).isNotZero();
        assertThat(differs.out()).contains("1 table(s) differ");
    }

    @Test
    void badCustomColumnsAreOneLine() throws Exception {
        home = Files.createTempDirectory("ccolsbad");
        server.createDatabase("ccolsbadrepo");
        CommandLine cli = CommandLine.of(server.port(), "ccolsbadrepo", home, home);
        assertThat(cli.run("install").code()).isZero();
        Db s = Db.create("s", server, "ccolsbad");
        s.exec("CREATE TABLE t (id int PRIMARY KEY, name text)");
        assertThat(cli.run("add", "db", "s", "dbname=ccolsbad", "dbhost=localhost", "dbport=" + server.port(), "dbuser=postgres").code()).isZero();
        assertThat(cli.run("add", "table", "t", "db=s").code()).isZero();
        CommandLine.Result noKey = cli.run("add", "customcols", "t", "SELECT name");
        assertThat(noKey.code()).isNotZero();
        assertThat(noKey.err().strip()).doesNotContain("\n").contains("must include the key column id");
        CommandLine.Result badSql = cli.run("add", "customcols", "t", "SELECT id, nosuch");
        assertThat(badSql.err().strip()).doesNotContain("\n").contains("cannot read those columns of public.t");
        CommandLine.Result unnamed = cli.run("add", "customcols", "t", "SELECT id, name || 'x'");
        assertThat(unnamed.err().strip()).contains("name each expression with AS");
        assertThat(cli.run("list", "customcols").out()).contains("No customcols found.");
    }
}
