package io.ibex.it.othertargets;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.CommandLine;
import io.ibex.testkit.CommandLine.Result;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mistakes with targets that are not PostgreSQL: an unknown type, such a database (MariaDB, SQLite, Redis) as a
 * source, a MariaDB target without the table, an unreachable MariaDB, a missing SQLite directory, an SQLite dbname that
 * is a directory or a file of something else, a Redis dbname that is not a number. Each is one line on stderr, a non-zero exit,
 * and leaves the repository as it was.
 */
@ExtendWith(ServersPerClass.class)
class OtherTargetsBadInputTest {

    @Server("17") static PostgresServer server;
    static Path home;
    static MariaDb maria;

    @BeforeAll
    static void start() throws Exception {
        home = Files.createTempDirectory("othertargets-badinput");
        maria = new MariaDb();
        server.createDatabase("app");
        server.execute("app", "CREATE TABLE keyed (id int PRIMARY KEY, v text)");
        run("install");
        assertThat(run("add", "db", "app", "dbname=app", "dbhost=localhost", "dbport=" + server.port(), "dbuser=postgres").code()).isZero();
        Result added = run("add", "db", "maria", "type=mysql", "dbname=" + maria.name, "dbhost=127.0.0.1", "dbport=3306", "dbuser=root");
        assertThat(added.code()).as(added.err()).isZero();
        assertThat(run("add", "db", "lite", "type=sqlite", "dbname=" + home.resolve("t.db")).code()).isZero();
        assertThat(run("add", "db", "cache", "type=redis", "dbname=0", "dbhost=127.0.0.1", "dbport=6379").code()).isZero();
        assertThat(run("add", "table", "keyed", "db=app", "relgroup=rg").code()).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        maria.close();
    }

    static Result run(String... words) {
        return CommandLine.of(server.port(), "ibex", home, home).run(words);
    }

    static String fails(String... words) {
        String before = run("list", "all").out();
        Result r = run(words);
        assertThat(r.code()).as("exit of ibex %s", String.join(" ", words)).isNotZero();
        assertThat(r.err().strip().lines().count()).as("stderr of ibex %s: %s", String.join(" ", words), r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("ibex: ").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(run("list", "all").out()).as("repository after ibex %s", String.join(" ", words)).isEqualTo(before);
        return r.err();
    }

    @Test
    void anUnknownTypeNamesTheTypesThereAre() {
        assertThat(fails("add", "db", "ora", "type=oracle", "dbname=x")).contains("unknown database type \"oracle\"")
                .contains("mariadb").contains("sqlite").contains("postgres");
    }

    @Test
    void aTargetOnlyTypeIsRefusedAsASource() {
        assertThat(fails("add", "dbgroup", "g", "maria:source", "app:target")).contains("\"maria\" is of type mariadb, which can only be a target");
        assertThat(fails("add", "sync", "s", "relgroup=rg", "db=lite,app")).contains("\"lite\" is of type sqlite, which can only be a target");
        assertThat(fails("add", "table", "keyed", "db=maria", "relgroup=other")).contains("can only be a target");
        assertThat(fails("add", "dbgroup", "g", "cache:source", "app:target")).contains("\"cache\" is of type redis, which can only be a target");
        assertThat(fails("add", "sync", "s", "relgroup=rg", "dbs=cache:source,app:target")).contains("can only be a target");
    }

    @Test
    void aBadSqliteFileOrRedisDatabaseNumber() throws Exception {
        assertThat(fails("add", "db", "adir", "type=sqlite", "dbname=" + home)).contains("database \"adir\"").contains(home.toString());
        Path notSqlite = Files.writeString(home.resolve("notes.txt"), "not a database, but some text that is long enough to fill a header\n".repeat(20));
        assertThat(fails("add", "db", "text", "type=sqlite", "dbname=" + notSqlite)).isEqualTo("ibex: database \"text\": " + notSqlite + " is not an SQLite database file\n");
        assertThat(fails("add", "db", "r1", "type=redis", "dbname=cache")).isEqualTo(
                "ibex: add db: dbname of a Redis database is its number (0, 1, ...), not \"cache\"\n");
        assertThat(fails("add", "db", "r2", "type=redis", "dbname=-1")).contains("dbname of a Redis database is its number");
    }

    @Test
    void aMariaDbTargetWithoutTheTableIsRefusedWithTheCreateTable() {
        assertThat(fails("add", "sync", "s", "relgroup=rg", "db=app,maria"))
                .contains("database \"maria\" (MariaDB) has no table keyed")
                .contains("CREATE TABLE \"keyed\" (\"id\" INT NOT NULL, \"v\" LONGTEXT, PRIMARY KEY (\"id\"))");
    }

    @Test
    void unreachableOrMisplacedTargets() {
        assertThat(fails("add", "db", "gone", "type=mariadb", "dbname=x", "dbhost=127.0.0.1", "dbport=1")).contains("database \"gone\"")
                .contains("cannot connect to MariaDB at 127.0.0.1:1/x");
        assertThat(fails("add", "db", "nodir", "type=sqlite", "dbname=/no/such/dir/t.db")).contains("no directory /no/such/dir");
    }
}
