package io.ibex.it;

import io.ibex.testkit.CommandLine;
import io.ibex.testkit.CommandLine.Result;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mistakes a user makes: each gets one line on stderr, a non-zero exit, no stack trace, and leaves nothing
 * behind in the repository or the databases.
 */
@ExtendWith(ServersPerClass.class)
class BadInputTest {

    @Server("17") static PostgresServer server;
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        home = Files.createTempDirectory("badinput");
        server.createDatabase("app");
        server.execute("app", "CREATE TABLE keyed (id int PRIMARY KEY, v text); CREATE TABLE nokey (a int, b text)");
        assertThat(run("ibex", "install").code()).isZero();
        assertThat(run("ibex", "add", "db", "app", "dbname=app", "dbhost=localhost", "dbport=" + server.port(), "dbuser=postgres").code()).isZero();
        server.createDatabase("other");
        server.execute("other", "CREATE TABLE keyed (id int PRIMARY KEY, v text); CREATE TABLE nokey (a int, b text)");
        assertThat(run("ibex", "add", "db", "other", "dbname=other", "dbhost=localhost", "dbport=" + server.port(), "dbuser=postgres").code()).isZero();
    }

    static Result run(String repoDb, String... words) {
        return CommandLine.of(server.port(), repoDb, home, home).run(words);
    }

    /** Runs a command that must fail: one line, non-zero, and the repository's listing unchanged. */
    static String fails(String... words) {
        String before = run("ibex", "list", "all").out();
        Result r = run("ibex", words);
        assertThat(r.code()).as("exit of ibex %s", String.join(" ", words)).isNotZero();
        assertThat(r.err().strip().lines().count()).as("stderr of ibex %s: %s", String.join(" ", words), r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("ibex: ").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(run("ibex", "list", "all").out()).as("repository after ibex %s", String.join(" ", words)).isEqualTo(before);
        return r.err();
    }

    @Test
    void unknownVerbOrObject() {
        assertThat(fails("frobnicate")).contains("unknown command");
        assertThat(fails("add", "gizmo", "x")).contains("gizmo");
        assertThat(fails("list", "gizmos")).contains("gizmos");
    }

    @Test
    void missingDbnameAndUnknownParameters() {
        assertThat(fails("add", "db", "nodbname", "dbhost=localhost")).contains("dbname");
        assertThat(fails("add", "db", "typo", "dbname=app", "dbprot=5432")).contains("dbprot");
        assertThat(fails("add", "db", "bad name", "dbname=app")).contains("invalid database name");
        assertThat(fails("add", "db", "x'; DROP TABLE ibex.db; --", "dbname=app")).contains("invalid database name");
    }

    @Test
    void watchingSettingsAndCommands() {
        assertThat(fails("set", "http_listen=9187")).isEqualTo("ibex: http_listen must be HOST:PORT (port 1-65535) or off, not \"9187\"\n");
        assertThat(fails("set", "http_listen=localhost:99999")).contains("port 1-65535");
        assertThat(fails("set", "status_interval=0")).contains("status_interval must be a positive whole number");
        assertThat(fails("reopen")).isEqualTo("ibex: the ibex daemon is not running: nothing to reopen\n");
        assertThat(fails("reopen", "now")).contains("unexpected word");
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("HOME", home.toString());
        env.put("IBEX_LOG_FORMAT", "xml");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = io.ibex.cli.Main.run(new String[] {"--dbhost", "localhost", "--dbport", String.valueOf(server.port()), "--dbname", "ibex",
                "--dbuser", "postgres", "--piddir", home.resolve("run").toString(), "--logdir", home.toString(), "start"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env);
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("ibex: IBEX_LOG_FORMAT must be text or json, not \"xml\"\n");
        Result check = run("ibex", "check", "crit=5", "warn=10");
        assertThat(check.code()).isEqualTo(3);
        assertThat(check.out()).isEqualTo("IBEX UNKNOWN - check: crit (5.0) must not be below warn (10.0)\n");
    }

    @Test
    void unreachableDatabase() {
        assertThat(fails("add", "db", "gone", "dbname=app", "dbhost=localhost", "dbport=1", "dbuser=postgres"))
                .contains("cannot connect").contains("gone");
        assertThat(fails("add", "db", "nosuchdb", "dbname=does_not_exist", "dbhost=localhost", "dbport=" + server.port(), "dbuser=postgres"))
                .contains("does_not_exist");
    }

    @Test
    void aConnectionFailureNamesItsCauseAsPsqlDoes() {
        assertThat(fails("add", "db", "gone", "dbname=app", "dbhost=localhost", "dbport=1", "dbuser=postgres"))
                .contains("connection to server at \"localhost\", port 1 failed: Connection refused");
        assertThat(fails("add", "db", "nohost", "dbname=app", "dbhost=no-such-host.invalid", "dbuser=postgres"))
                .contains("could not translate host name \"no-such-host.invalid\" to address");
    }

    @Test
    void aPortOutOfRangeIsOneLineAndNothingElseOnStderr() {
        java.io.PrintStream stderr = System.err;
        ByteArrayOutputStream direct = new ByteArrayOutputStream();
        System.setErr(new PrintStream(direct, true, StandardCharsets.UTF_8));
        try {
            assertThat(fails("add", "db", "far", "dbname=app", "dbhost=localhost", "dbport=99999", "dbuser=postgres"))
                    .isEqualTo("ibex: add db: dbport must be a port number from 1 to 65535, not 99999\n");
            assertThat(fails("update", "db", "app", "dbport=0")).contains("from 1 to 65535");
        } finally {
            System.setErr(stderr);
        }
        assertThat(direct.toString(StandardCharsets.UTF_8)).as("what pgjdbc's logging printed").isEmpty();
    }

    @Test
    void aTableThatDoesNotExist() {
        assertThat(fails("add", "table", "keyed", "no_such_table", "db=app", "herd=h1")).contains("no_such_table");
        assertThat(run("ibex", "list", "relgroups").out()).doesNotContain("h1");
    }

    @Test
    void aDeltaSyncOverATableWithoutPrimaryKeyPointsToFullcopy() throws Exception {
        assertThat(run("ibex", "add", "table", "nokey", "db=app", "herd=nopk").code()).isZero();
        String err = fails("add", "sync", "nopk_sync", "relgroup=nopk", "db=app,other");
        assertThat(err).contains("primary key").contains("fullcopy");
        try (Connection c = server.connect("app"); var rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_namespace WHERE nspname = 'ibex_capture'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("no capture schema left on the source").isZero();
        }
    }

    @Test
    void aSchemaChangeWithoutItsStatementOrSync() {
        assertThat(fails("ddl")).contains("give the sync and the statement");
        assertThat(fails("ddl", "nosuchsync")).contains("give the sync and the statement");
        assertThat(fails("ddl", "nosuchsync", "ALTER TABLE keyed ADD COLUMN w int")).contains("no sync named \"nosuchsync\"");
    }

    @Test
    void duplicateNames() {
        assertThat(fails("add", "db", "app", "dbname=app", "dbhost=localhost", "dbport=" + server.port(), "dbuser=postgres"))
                .contains("already exists");
        assertThat(run("ibex", "add", "dbgroup", "dup", "app:source", "other:target").code()).isZero();
        assertThat(fails("add", "dbgroup", "dup", "app:source", "other:target")).contains("already exists");
    }

    @Test
    void aRepositoryThatIsNotInstalled() throws Exception {
        server.createDatabase("empty_repo");
        Result r = run("empty_repo", "list", "syncs");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).startsWith("ibex: ").contains("not installed").contains("ibex install");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
    }

    @Test
    void badOptionValues() {
        assertThat(fails("add", "table", "keyed", "db=app", "herd=ok_herd", "autokick=maybe")).contains("autokick");
        assertThat(run("ibex", "add", "table", "keyed", "db=app", "herd=vals").code()).isZero();
        assertThat(fails("add", "sync", "s_bad", "relgroup=vals", "db=app,other", "onetimecopy=7")).contains("onetimecopy");
        assertThat(fails("add", "sync", "s_bad", "relgroup=vals", "db=app,other", "checktime=soon")).contains("checktime");
        assertThat(fails("add", "sync", "s_bad", "relgroup=vals", "db=app,nosuch")).contains("nosuch");
        assertThat(fails("kick", "no_such_sync")).contains("no_such_sync");
    }

    @Test
    void aRepositoryOfAnotherSchemaVersionIsRefused() throws Exception {
        server.createDatabase("future_repo");
        assertThat(run("future_repo", "install").code()).isZero();
        server.execute("future_repo", "UPDATE ibex.meta SET value = '99' WHERE key = 'schema_version'");
        for (String[] command : new String[][]{{"list", "syncs"}, {"status"}, {"start"}}) {
            Result r = run("future_repo", command);
            assertThat(r.code()).as("ibex %s", String.join(" ", command)).isNotZero();
            assertThat(r.err()).startsWith("ibex: ").contains("schema version 99")
                    .contains("needs version " + io.ibex.repository.Repository.SCHEMA_VERSION);
            assertThat(r.err().strip().lines().count()).isEqualTo(1);
        }
    }
}
