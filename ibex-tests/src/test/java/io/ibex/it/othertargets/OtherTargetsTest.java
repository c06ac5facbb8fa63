package io.ibex.it.othertargets;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 24's cross-engine parts: one sync from PostgreSQL into a PostgreSQL, a MariaDB and an SQLite target at once,
 * the initial copy (onetimecopy=1) and the changes under a concurrent write load on the source, the MariaDB target
 * down (its account locked, its sessions killed) and back, the sync Bad then Good by itself, and {@code ibex verify}
 * comparing values on every target.
 */
@ExtendWith(ServersPerClass.class)
class OtherTargetsTest {

    @Server("17") static PostgresServer server;
    @TempDir Path dir;

    static final String PG_DDL = "CREATE TABLE acct (id int PRIMARY KEY, balance numeric(12,2), note text, changed timestamptz, flag bool);"
            + " CREATE TABLE pair (a int, b text, v int, PRIMARY KEY (a, b))";
    static final String[] MARIA_DDL = {
        "CREATE TABLE acct (id INT PRIMARY KEY, balance DECIMAL(12,2), note LONGTEXT, changed DATETIME(6), flag BOOLEAN)",
        "CREATE TABLE pair (a INT, b VARCHAR(255), v INT, PRIMARY KEY (a, b))"};
    static final String[] SQLITE_DDL = {
        "CREATE TABLE acct (id INTEGER PRIMARY KEY, balance TEXT, note TEXT, changed TEXT, flag INTEGER)",
        "CREATE TABLE pair (a INTEGER, b TEXT, v INTEGER, PRIMARY KEY (a, b))"};

    @Test
    void oneSyncIntoPostgresMariaDbAndSqliteUnderLoadWithMariaDbDownAndBack() throws Exception {
        String user = "ibex_u" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100000;
        try (Replication r = new Replication(server, server); MariaDb maria = new MariaDb()) {
            r.execSource(PG_DDL, "INSERT INTO acct SELECT g, g * 1.5, 'note ' || g, now(), g % 2 = 0 FROM generate_series(1, 20000) g",
                    "INSERT INTO pair SELECT g % 100, 'b' || g, g FROM generate_series(1, 2000) g");
            r.execTarget(PG_DDL);
            maria.exec(MARIA_DDL);
            maria.exec("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw-" + user + "'",
                    "GRANT ALL ON `" + maria.name + "`.* TO '" + user + "'@'%'");
            String lite = dir.resolve("target.db").toString();
            sqlite(lite, SQLITE_DDL);
            Ibex ibex = r.ibex;
            r.addDatabases();
            Map<String, String> mariaParams = new java.util.HashMap<>(maria.params());
            mariaParams.put("dbuser", user);
            mariaParams.put("dbpass", "pw-" + user);
            ibex.addDatabase("maria", mariaParams, false);
            ibex.addDatabase("lite", Map.of("type", "sqlite", "dbname", lite), false);
            ibex.addTables(List.of("acct", "pair"), Map.of("db", "source", "relgroup", "rg"), false);
            ibex.addSync("s", Map.of("relgroup", "rg", "db", "source,target,maria,lite", "onetimecopy", "1"));

            long started = System.nanoTime();
            try (SourceLoad load = new SourceLoad(r)) {
                r.startDaemon();
                Thread.sleep(3000);
                maria.exec("ALTER USER '" + user + "'@'%' ACCOUNT LOCK");
                killSessions(maria, user);
                Waits.await(Duration.ofSeconds(30), "sync Bad while MariaDB refuses ibex",
                        Waits.quietly(() -> ibex.status("s").currentState().equals("Bad")));
                String error = ibex.status("s").lastBad().map(io.ibex.model.SyncRun::error).orElse("");
                assertThat(error).contains("maria");
                Thread.sleep(2000);
                maria.exec("ALTER USER '" + user + "'@'%' ACCOUNT UNLOCK");
                Waits.await(Duration.ofSeconds(180), "sync Good again by itself",
                        Waits.quietly(() -> ibex.status("s").currentState().equals("Good")));
                Thread.sleep(2000);
                load.stop();
                assertThat(load.changes()).as("the load wrote").isGreaterThan(100);
            }
            Ibex.Verification v = OtherTargets.awaitVerified(ibex, "s", Duration.ofSeconds(60));
            assertThat(v.tables()).hasSize(6);
            assertThat(v.tables()).allSatisfy(t -> assertThat(t.sourceRows()).isGreaterThan(1000).isEqualTo(t.targetRows()));
            assertThat(maria.count("acct")).isEqualTo(r.count(true, "acct"));
            System.out.printf("other targets: 3 kinds in one sync, MariaDB down and back, verified in %d ms%n",
                    (System.nanoTime() - started) / 1_000_000);
        } finally {
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", null); Statement s = c.createStatement()) {
                s.execute("DROP USER IF EXISTS '" + user + "'@'%'");
            }
        }
    }

    @Test
    void fullcopyIntoMariaDbAndOnetimecopy2IntoSqlite() throws Exception {
        try (Replication r = new Replication(server, server); MariaDb maria = new MariaDb()) {
            r.execSource("CREATE TABLE history (tid int, aid int, delta int, mtime timestamp, filler char(22))",
                    "INSERT INTO history SELECT g % 10, g, g % 7, now(), 'x' FROM generate_series(1, 5000) g", PG_DDL,
                    "INSERT INTO acct SELECT g, g * 1.5, 'note ' || g, now(), g % 2 = 0 FROM generate_series(1, 3000) g");
            maria.exec("CREATE TABLE history (tid INT, aid INT, delta INT, mtime DATETIME(6), filler CHAR(22))",
                    "INSERT INTO history VALUES (1, 1, 1, '2000-01-01', 'stale row')");
            String lite = dir.resolve("copy.db").toString();
            sqlite(lite, SQLITE_DDL);
            Ibex ibex = r.ibex;
            ibex.addDatabase("source", Replication.dbParams(server, r.sourceDb), false);
            ibex.addDatabase("maria", maria.params(), false);
            ibex.addDatabase("lite", Map.of("type", "sqlite", "dbname", lite), false);
            ibex.addTables(List.of("history"), Map.of("db", "source", "relgroup", "nopk"), false);
            ibex.addDbGroup("copygroup", List.of("source:source", "maria:fullcopy"));
            ibex.addSync("fc", Map.of("relgroup", "nopk", "dbs", "copygroup"));
            ibex.addTables(List.of("acct"), Map.of("db", "source", "relgroup", "keyed"), false);
            ibex.addSync("s2", Map.of("relgroup", "keyed", "db", "source,lite", "onetimecopy", "2"));
            r.startDaemon();
            r.execSource("INSERT INTO history VALUES (99, 9, 9, now(), 'added')", "DELETE FROM history WHERE aid < 100",
                    "UPDATE acct SET note = 'after' WHERE id <= 10");
            Ibex.Verification fc = OtherTargets.awaitVerified(ibex, "fc", Duration.ofSeconds(60));
            assertThat(fc.tables().get(0).targetRows()).isEqualTo(4901);
            assertThat(maria.count("history")).as("the stale row went").isEqualTo(4901);
            Ibex.Verification copied = OtherTargets.awaitVerified(ibex, "s2", Duration.ofSeconds(60));
            assertThat(copied.tables().get(0).targetRows()).isEqualTo(3000);
        }
    }

    static void sqlite(String file, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static void killSessions(MariaDb maria, String user) throws SQLException {
        try (Connection c = maria.connect(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT id FROM information_schema.processlist WHERE user = '" + user + "'")) {
            List<Long> ids = new java.util.ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
            for (long id : ids) {
                try (Statement k = c.createStatement()) {
                    k.execute("KILL CONNECTION " + id);
                } catch (SQLException gone) {
                    // ended meanwhile
                }
            }
        }
    }
}
