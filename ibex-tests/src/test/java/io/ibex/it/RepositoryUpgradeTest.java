package io.ibex.it;

import io.ibex.testkit.CommandLine;
import io.ibex.testkit.CommandLine.Result;

import io.ibex.IbexException;
import io.ibex.embedded.PostgresServer;
import io.ibex.engine.Daemon;
import io.ibex.repository.Repository;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code ibex upgrade} of a repository created by the first release: its schema is the frozen test resource
 * release-1-schema.sql, and its rows are those that release's {@code add db}, {@code add table} and
 * {@code add sync} wrote. Until the upgrade every command and the daemon refuse it; after it, the sync replicates,
 * proven by row counts and content hashes. The servers are 9.3, the oldest a repository may live on.
 */
@ExtendWith(ServersPerClass.class)
class RepositoryUpgradeTest {

    @Server("9.3") static PostgresServer server;
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        home = Files.createTempDirectory("ibex-upgrade");
    }

    static Result ibex(Replication r, String... words) {
        return CommandLine.bare(r.repository.port(), r.repository.dbname(), home).run(words);
    }

    static String ok(Replication r, String... words) {
        Result res = ibex(r, words);
        assertThat(res.code()).as("ibex %s\nout: %s\nerr: %s", String.join(" ", words), res.out(), res.err()).isZero();
        return res.out();
    }

    /** One line on stderr, exit code 1. */
    static String refused(Replication r, String... words) {
        Result res = ibex(r, words);
        assertThat(res.code()).as("ibex %s\nout: %s\nerr: %s", String.join(" ", words), res.out(), res.err()).isEqualTo(1);
        assertThat(res.err()).startsWith("ibex: ").endsWith("\n").hasLineCount(1);
        return res.err();
    }

    /** Replaces the repository Replication installed with the first release's, as that release installed it. */
    static void installFirstRelease(Replication r) throws Exception {
        try (Connection c = repository(r); var s = c.createStatement()) {
            s.execute("DROP SCHEMA ibex CASCADE");
            s.execute(resource("/io/ibex/repository/release-1-schema.sql"));
            s.execute("INSERT INTO ibex.meta (key, value) VALUES ('schema_version', '1')");
            s.execute("INSERT INTO ibex.meta (key, value) VALUES ('installed', now()::text)");
        }
    }

    static Connection repository(Replication r) throws SQLException {
        return server.connect(r.repository.dbname());
    }

    static String resource(String name) throws Exception {
        try (InputStream in = RepositoryUpgradeTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void upgradesTheFirstReleasesRepositoryThenReplicates() throws Exception {
        try (Replication r = new Replication(server, server)) {
            installFirstRelease(r);
            String tables = "CREATE TABLE t (id integer PRIMARY KEY, v text); "
                    + "CREATE TABLE u (a text, b bigint, n numeric, PRIMARY KEY (a, b))";
            r.execSource(tables, "INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 500) g",
                    "INSERT INTO u SELECT 'k' || (g % 7), g, g / 3.0 FROM generate_series(1, 300) g");
            r.execTarget(tables);
            // what the first release's add db, add table (x2) and add sync s status=inactive onetimecopy=1 wrote
            try (Connection c = repository(r); var s = c.createStatement()) {
                s.execute("INSERT INTO ibex.db (name, dbhost, dbport, dbname, dbuser) VALUES "
                        + "('source', 'localhost', " + server.port() + ", '" + r.sourceDb + "', 'postgres'), "
                        + "('target', 'localhost', " + server.port() + ", '" + r.targetDb + "', 'postgres')");
                s.execute("INSERT INTO ibex.relation (db, schemaname, relname, reltype, key_columns, key_types) VALUES "
                        + "('source', 'public', 't', 'table', '{id}', '{integer}'), "
                        + "('source', 'public', 'u', 'table', '{a,b}', '{text,bigint}')");
                s.execute("INSERT INTO ibex.relgroup (name) VALUES ('rg')");
                s.execute("INSERT INTO ibex.relgroup_member (relgroup, relation) SELECT 'rg', id FROM ibex.relation");
                s.execute("INSERT INTO ibex.dbgroup (name) VALUES ('g')");
                s.execute("INSERT INTO ibex.dbgroup_member (dbgroup, db, role, priority) VALUES "
                        + "('g', 'source', 'source', 0), ('g', 'target', 'target', 1)");
                s.execute("INSERT INTO ibex.sync (name, relgroup, dbgroup, status, onetimecopy) VALUES ('s', 'rg', 'g', 'inactive', 1)");
            }

            String needsUpgrade = "the ibex repository in database \"" + r.repository.dbname() + "\" has schema version 1 but this "
                    + "ibex needs version " + Repository.SCHEMA_VERSION + ": run 'ibex upgrade' (with the daemon stopped)";
            assertThat(refused(r, "list", "syncs")).isEqualTo("ibex: " + needsUpgrade + "\n");
            assertThat(refused(r, "install")).isEqualTo("ibex: " + needsUpgrade + "\n");
            assertThatThrownBy(() -> new Daemon(r.repository, home.resolve("refused.pid")).run())
                    .isInstanceOf(IbexException.class).hasMessage(needsUpgrade);

            assertThat(ok(r, "upgrade")).isEqualTo("Upgraded the ibex repository in database \"" + r.repository.dbname()
                    + "\" from schema version 1 to " + Repository.SCHEMA_VERSION + ".\n");
            assertThat(ok(r, "upgrade")).isEqualTo("The ibex repository in database \"" + r.repository.dbname()
                    + "\" is up to date (schema version " + Repository.SCHEMA_VERSION + "); nothing changed.\n");
            assertThat(ok(r, "install")).isEqualTo("The ibex repository is already installed in database \""
                    + r.repository.dbname() + "\"; nothing changed.\n");
            try (Connection c = repository(r)) {
                assertThat(column(c, "SELECT version FROM ibex.schema_version ORDER BY version"))
                        .isEqualTo(versions(1, Repository.SCHEMA_VERSION));
                assertThat(column(c, "SELECT value FROM ibex.meta WHERE key = 'schema_version'"))
                        .containsExactly(String.valueOf(Repository.SCHEMA_VERSION));
            }
            assertThat(ok(r, "list", "syncs")).contains("s");

            ok(r, "activate", "s");
            r.startDaemon();
            r.execSource("UPDATE t SET v = 'changed' WHERE id % 10 = 0", "DELETE FROM t WHERE id > 450",
                    "INSERT INTO t SELECT g, 'new ' || g FROM generate_series(1001, 1100) g",
                    "UPDATE u SET n = n + 1 WHERE b % 4 = 0", "DELETE FROM u WHERE a = 'k3'");
            r.awaitConverged(Duration.ofSeconds(90), "public.t", "public.u");
            assertThat(r.count(false, "t")).isEqualTo(550);
        }
    }

    @Test
    void everyCommandAndTheDaemonRefuseANewerRepository() throws Exception {
        try (Replication r = new Replication(server, server)) {
            int newer = Repository.SCHEMA_VERSION + 1;
            try (Connection c = repository(r); var s = c.createStatement()) {
                s.execute("UPDATE ibex.meta SET value = '" + newer + "' WHERE key = 'schema_version'");
            }
            String tooNew = "the ibex repository in database \"" + r.repository.dbname() + "\" has schema version " + newer
                    + " but this ibex needs version " + Repository.SCHEMA_VERSION
                    + ": it was upgraded by a newer ibex, so run that release (or a newer one)";
            for (String[] command : List.of(new String[]{"upgrade"}, new String[]{"install"}, new String[]{"list", "dbs"},
                    new String[]{"status"})) {
                assertThat(refused(r, command)).as(String.join(" ", command)).isEqualTo("ibex: " + tooNew + "\n");
            }
            assertThatThrownBy(() -> new Daemon(r.repository, home.resolve("refused.pid")).run())
                    .isInstanceOf(IbexException.class).hasMessage(tooNew);
        }
    }

    @Test
    void upgradeRefusesWhileADaemonRuns() throws Exception {
        try (Replication r = new Replication(server, server)) {
            installFirstRelease(r);
            try (Connection c = repository(r); var s = c.createStatement()) {
                s.execute("SELECT pg_advisory_lock(" + Daemon.LOCK_KEY + ")"); // what a running daemon holds
                assertThat(refused(r, "upgrade")).isEqualTo("ibex: the ibex daemon is running on this repository: "
                        + "stop it ('ibex stop'), then run 'ibex upgrade'\n");
            }
            ok(r, "upgrade");
        }
    }

    @Test
    void aFailedMigrationChangesNothingAndSaysWhereTheRepositoryStays() throws Exception {
        try (Replication r = new Replication(server, server)) {
            installFirstRelease(r);
            try (Connection c = repository(r); var s = c.createStatement()) {
                s.execute("CREATE TABLE ibex.schema_version (x integer)"); // in the way of migration 2
            }
            assertThat(refused(r, "upgrade")).startsWith("ibex: upgrade to schema version 2 failed: ")
                    .contains("schema_version").endsWith(" (the repository stays at schema version 1)\n");
            try (Connection c = repository(r)) {
                assertThat(column(c, "SELECT value FROM ibex.meta WHERE key = 'schema_version'")).containsExactly("1");
                assertThat(column(c, "SELECT count(*) FROM ibex.schema_version")).containsExactly("0");
            }
        }
    }

    /** A fresh install and an upgraded first-release repository have the same tables, columns, constraints and indexes. */
    @Test
    void aFreshInstallEqualsAnUpgradedRepository() throws Exception {
        try (Replication fresh = new Replication(server, server); Replication upgraded = new Replication(server, server)) {
            installFirstRelease(upgraded);
            ok(upgraded, "upgrade");
            try (Connection a = repository(fresh); Connection b = repository(upgraded)) {
                assertThat(schema(b)).isEqualTo(schema(a)).isNotEmpty();
            }
        }
    }

    private static List<String> schema(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        out.addAll(column(c, "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' "
                + "|| coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'ibex' ORDER BY 1"));
        out.addAll(column(c, "SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
                + "WHERE connamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'ibex') ORDER BY 1"));
        out.addAll(column(c, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'ibex' ORDER BY 1"));
        return out;
    }

    private static List<String> column(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (var s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static List<String> versions(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int v = from; v <= to; v++) {
            out.add(String.valueOf(v));
        }
        return out;
    }
}
