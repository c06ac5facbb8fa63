package io.ibex.it.othertargets;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.TcpProxy;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 24's cross-engine parts in one sync from PostgreSQL into every kind at once (PostgreSQL, MariaDB, SQLite,
 * Redis): the initial copy (onetimecopy=1) and the changes under a concurrent write load on the source, a TRUNCATE on
 * the source followed everywhere, MariaDB down (the TCP proxy in front of it stopped, every session cut) and back, the
 * sync Bad then Good by itself, a table added later copied by onetimecopy=2 into every kind, and a fullcopy member into
 * MariaDB and SQLite. Convergence is {@code ibex verify} comparing values (row counts and each row) on every target,
 * and the row counts and content hashes of the PostgreSQL target.
 */
@ExtendWith(ServersPerClass.class)
class OtherTargetsTest {

    @Server("17") static PostgresServer server;
    @TempDir Path dir;

    static final String PG_DDL = "CREATE TABLE acct (id int PRIMARY KEY, balance numeric(12,2), note text, changed timestamptz, flag bool);"
            + " CREATE TABLE pair (a int, b text, v int, PRIMARY KEY (a, b));"
            + " CREATE TABLE extra (id int PRIMARY KEY, label text, amount numeric(10,2))";
    static final String[] MARIA_DDL = {
        "CREATE TABLE acct (id INT PRIMARY KEY, balance DECIMAL(12,2), note LONGTEXT, changed DATETIME(6), flag BOOLEAN)",
        "CREATE TABLE pair (a INT, b VARCHAR(255), v INT, PRIMARY KEY (a, b))",
        "CREATE TABLE extra (id INT PRIMARY KEY, label LONGTEXT, amount DECIMAL(10,2))",
        "CREATE TABLE history (tid INT, aid INT, delta INT, mtime DATETIME(6), filler CHAR(22))",
        "INSERT INTO history VALUES (1, 1, 1, '2000-01-01', 'stale row')"};
    static final String[] SQLITE_DDL = {
        "CREATE TABLE acct (id INTEGER PRIMARY KEY, balance TEXT, note TEXT, changed TEXT, flag INTEGER)",
        "CREATE TABLE pair (a INTEGER, b TEXT, v INTEGER, PRIMARY KEY (a, b))",
        "CREATE TABLE extra (id INTEGER PRIMARY KEY, label TEXT, amount TEXT)",
        "CREATE TABLE history (tid INTEGER, aid INTEGER, delta INTEGER, mtime TEXT, filler TEXT)",
        "INSERT INTO history VALUES (2, 2, 2, '2000-01-01', 'stale row')"};

    @Test
    void oneSyncIntoEveryKindUnderLoadWithTruncateMariaDbDownAndBackOnetimecopy2AndFullcopy() throws Exception {
        String prefix = "ibexot:" + ProcessHandle.current().pid() + ":" + System.nanoTime() + ":";
        try (Replication r = new Replication(server, server); MariaDb maria = new MariaDb(); TcpProxy proxy = TcpProxy.start(MariaDb.PORT)) {
            r.execSource(PG_DDL, "INSERT INTO acct SELECT g, g * 1.5, 'note ' || g, now(), g % 2 = 0 FROM generate_series(1, 5000) g",
                    "INSERT INTO pair SELECT g % 100, 'b' || g, g FROM generate_series(1, 2000) g",
                    "INSERT INTO extra SELECT g, 'label ' || g, g / 4.0 FROM generate_series(1, 1000) g",
                    "CREATE TABLE history (tid int, aid int, delta int, mtime timestamp, filler char(22))",
                    "INSERT INTO history SELECT g % 10, g, g % 7, now(), 'x' FROM generate_series(1, 3000) g");
            r.execTarget(PG_DDL);
            maria.exec(MARIA_DDL);
            String lite = dir.resolve("target.db").toString();
            sqlite(lite, SQLITE_DDL);
            Ibex ibex = r.ibex;
            r.addDatabases();
            Map<String, String> viaProxy = new HashMap<>(maria.params());
            viaProxy.put("dbport", String.valueOf(proxy.port()));
            ibex.addDatabase("maria", viaProxy, false);
            ibex.addDatabase("lite", Map.of("type", "sqlite", "dbname", lite), false);
            ibex.addDatabase("redis", Map.of("type", "redis", "dbhost", "127.0.0.1", "dbport", "6379", "key_prefix", prefix), false);
            ibex.addTables(List.of("acct", "pair"), Map.of("db", "source", "relgroup", "rg"), false);
            ibex.addSync("s", Map.of("relgroup", "rg", "db", "source,target,maria,lite,redis", "onetimecopy", "1"));
            ibex.addTables(List.of("history"), Map.of("db", "source", "relgroup", "nopk"), false);
            ibex.addDbGroup("copygroup", List.of("source:source", "maria:fullcopy", "lite:fullcopy"));
            ibex.addSync("fc", Map.of("relgroup", "nopk", "dbs", "copygroup"));

            long started = System.nanoTime();
            try (SourceLoad load = new SourceLoad(r, 5000)) {
                r.startDaemon();
                Thread.sleep(2000);
                r.execSource("TRUNCATE pair", "INSERT INTO pair SELECT g, 'after', g FROM generate_series(1, 60) g");
                Thread.sleep(1000);
                phase("copied+truncate", started);
                proxy.down();
                Waits.await(Duration.ofSeconds(60), "sync Bad while MariaDB is away",
                        Waits.quietly(() -> ibex.status("s").currentState().equals("Bad")));
                assertThat(ibex.status("s").lastBad().map(io.ibex.model.SyncRun::error).orElse("")).contains("maria");
                Thread.sleep(1000);
                phase("bad", started);
                proxy.heal();
                // under the load some lane is nearly always running, and status shows its run's state rather than Good
                Waits.await(Duration.ofSeconds(120), "sync no longer Bad under the load",
                        Waits.quietly(() -> !ibex.status("s").currentState().equals("Bad")));
                Thread.sleep(1000);
                load.stop();
                assertThat(load.changes()).as("the load wrote").isGreaterThan(100);
            }
            Waits.await(Duration.ofSeconds(120), "sync Good again by itself, without a kick",
                    Waits.quietly(() -> ibex.status("s").currentState().equals("Good")));
            phase("good", started);
            // a table added to the running sync, empty on every target: onetimecopy=2 copies it alone, into every kind,
            // and the tables the targets have rows of get the changes instead
            ibex.addTables(List.of("extra"), Map.of("db", "source", "relgroup", "rg"), false);
            ibex.update("sync", "s", Map.of("onetimecopy", "2"));
            r.execSource("UPDATE acct SET note = 'after the copy' WHERE id <= 10");
            Ibex.Verification v = OtherTargets.awaitVerified(ibex, "s", Duration.ofSeconds(90));
            assertThat(v.tables()).hasSize(12).allSatisfy(t -> assertThat(t.sourceRows()).isPositive().isEqualTo(t.targetRows()));
            assertThat(v.tables()).filteredOn(t -> t.table().equals("public.extra")).hasSize(4)
                    .allSatisfy(t -> assertThat(t.targetRows()).isEqualTo(1000));
            assertThat(r.digests(false, "acct", "pair", "extra")).isEqualTo(r.digests(true, "acct", "pair", "extra"));
            long pairs = r.count(true, "pair");
            assertThat(pairs).as("the TRUNCATE's rows, changed by the load").isEqualTo(60);
            assertThat(maria.count("pair")).isEqualTo(pairs);
            assertThat(sqliteCount(lite, "pair")).isEqualTo(pairs);
            assertThat(redisKeys(prefix + "pair:")).isEqualTo(pairs);
            assertThat(maria.count("acct")).isEqualTo(r.count(true, "acct"));
            phase("verified, onetimecopy=2", started);

            // fullcopy into MariaDB and SQLite: their stale rows replaced by the source's
            r.execSource("INSERT INTO history VALUES (99, 9, 9, now(), 'added')", "DELETE FROM history WHERE aid < 100");
            Ibex.Verification fc = OtherTargets.awaitVerified(ibex, "fc", Duration.ofSeconds(60));
            assertThat(fc.tables()).hasSize(2).allSatisfy(t -> assertThat(t.targetRows()).isEqualTo(2901));
            assertThat(maria.count("history")).isEqualTo(2901);
            assertThat(sqliteCount(lite, "history")).isEqualTo(2901);
            // the daemon fenced each target for both syncs under its lease epochs (OtherTargetsFenceTest tests the fences)
            assertThat(maria.count("ibex_fence")).isEqualTo(2);
            assertThat(sqliteCount(lite, "ibex_fence")).isEqualTo(2);
            assertThat(redisKeys(prefix + "__ibex_fence__:")).isEqualTo(1); // fc has no Redis target
            System.out.printf("other targets: 4 kinds in one sync, MariaDB down and back, onetimecopy=2, fullcopy, verified in %d ms%n",
                    (System.nanoTime() - started) / 1_000_000);
        } finally {
            try (Jedis jedis = new Jedis("127.0.0.1", 6379)) {
                jedis.eval("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end", List.of(), List.of(prefix + "*"));
            }
        }
    }

    private static void phase(String what, long started) {
        System.out.printf("other targets: %s at %d ms%n", what, (System.nanoTime() - started) / 1_000_000);
    }

    static void sqlite(String file, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    static long sqliteCount(String file, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + table + "\"")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long redisKeys(String keyPrefix) {
        try (Jedis jedis = new Jedis("127.0.0.1", 6379)) {
            return (Long) jedis.eval("return #redis.call('KEYS', ARGV[1])", List.of(), List.of(keyPrefix + "*"));
        }
    }
}
