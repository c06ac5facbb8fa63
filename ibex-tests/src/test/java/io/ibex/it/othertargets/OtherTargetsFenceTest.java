package io.ibex.it.othertargets;

import io.ibex.model.Database;
import io.ibex.model.TableInfo;
import io.ibex.spi.Target;
import io.ibex.spi.TargetRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fence of a sync on targets that are not PostgreSQL (several daemons on one repository), against the machine's
 * real MariaDB and Redis and a real SQLite file, with target sessions as the daemons open them: an older owner
 * (lease epoch 1) in the middle of a batch when a newer owner (epoch 2) raises the fence, and an older owner's idle
 * session afterwards. What must hold: no row of the older owner's lands after the newer owner's raise (MariaDB ends
 * the older transaction, whose row goes; SQLite lets it commit first, since it has one writer; Redis refuses its EXEC),
 * every later batch of the older owner is refused with one line, and an older owner cannot fence itself again.
 */
class OtherTargetsFenceTest {

    static final TableInfo T = new TableInfo("public", "t", List.of(new TableInfo.Column("id", "integer"), new TableInfo.Column("v", "text")),
            List.of("id"), List.of("integer"));

    @TempDir Path dir;

    @Test
    void mariaDbEndsTheOlderOwnersBatchInFlight() throws Exception {
        try (MariaDb maria = new MariaDb()) {
            maria.exec("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)");
            Database db = new Database("maria", "mariadb", MariaDb.HOST, MariaDb.PORT, maria.name, "root", null, "active", false, null, null);
            try (Target old = open(db); Target oldIdle = open(db); Target next = open(db)) {
                old.fence("s", 1);
                oldIdle.fence("s", 1);
                old.begin();
                old.insertRows(T, rows("1\told\n")); // in flight: the older owner frozen here

                long started = System.nanoTime();
                CompletableFuture.runAsync(() -> next.fence("s", 2)).get(30, TimeUnit.SECONDS);
                assertThat((System.nanoTime() - started) / 1e9).as("the raise ended the frozen transaction instead of waiting it out").isLessThan(10);
                assertThatThrownBy(old::commit).as("the older owner's session was ended").isNotNull();
                assertThat(maria.count("t")).as("its row went with it").isZero();

                next.begin();
                next.insertRows(T, rows("2\tnew\n"));
                next.commit();
                assertThatThrownBy(oldIdle::begin).hasMessageContaining(Target.STANDING_DOWN).hasMessageContaining("epoch 2");
                assertThat(maria.count("t")).isEqualTo(1);
            }
            try (Target again = open(db)) {
                assertThatThrownBy(() -> again.fence("s", 1)).hasMessageContaining(Target.STANDING_DOWN);
            }
        }
    }

    /** A MariaDB user without CREATE: one line saying what to grant or to create; given the table, the fence works. */
    @Test
    void aMariaDbUserWithoutCreateIsToldWhatToDo() throws Exception {
        String user = "ibex_fence_" + ProcessHandle.current().pid();
        try (MariaDb maria = new MariaDb()) {
            maria.exec("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)", "DROP USER IF EXISTS '" + user + "'@'%'",
                    "CREATE USER '" + user + "'@'%'", "GRANT SELECT, INSERT, UPDATE, DELETE ON `" + maria.name + "`.* TO '" + user + "'@'%'");
            try {
                Database db = new Database("maria", "mariadb", MariaDb.HOST, MariaDb.PORT, maria.name, user, null, "active", false, null, null);
                try (Target t = open(db)) {
                    assertThatThrownBy(() -> t.fence("s", 1)).hasMessageContaining("cannot fence sync \"s\" in the table ibex_fence")
                            .hasMessageContaining("the user needs CREATE, or create it as: CREATE TABLE IF NOT EXISTS ibex_fence")
                            .hasMessageNotContaining("\n");
                }
                maria.exec("CREATE TABLE ibex_fence (sync VARCHAR(200) NOT NULL PRIMARY KEY, epoch BIGINT NOT NULL)");
                try (Target t = open(db)) {
                    t.fence("s", 1);
                    t.begin();
                    t.insertRows(T, rows("1\tone\n"));
                    t.commit();
                }
                assertThat(maria.count("t")).isEqualTo(1);
            } finally {
                maria.exec("DROP USER IF EXISTS '" + user + "'@'%'");
            }
        }
    }

    @Test
    void sqliteLetsTheBatchInFlightCommitFirstThenRefusesTheOlderOwner() throws Exception {
        String file = dir.resolve("fence.db").toString();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        }
        Database db = new Database("lite", "sqlite", null, 0, file, null, null, "active", false, null, null);
        try (Target old = open(db); Target oldIdle = open(db); Target next = open(db)) {
            old.fence("s", 1);
            oldIdle.fence("s", 1);
            old.begin();
            old.insertRows(T, rows("1\told\n"));
            CompletableFuture<Void> raise = CompletableFuture.runAsync(() -> next.fence("s", 2));
            Thread.sleep(300);
            assertThat(raise).as("the raise waits for the one writer").isNotDone();
            old.commit(); // before the raise: allowed
            raise.get(30, TimeUnit.SECONDS);

            assertThatThrownBy(old::begin).hasMessageContaining(Target.STANDING_DOWN);
            assertThatThrownBy(oldIdle::begin).hasMessageContaining(Target.STANDING_DOWN);
            next.begin();
            next.insertRows(T, rows("2\tnew\n"));
            next.commit();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(2);
        }
    }

    @Test
    void redisRefusesTheExecOfABatchSentAcrossTheRaise() throws Exception {
        String prefix = "fence" + ProcessHandle.current().pid() + "_" + System.nanoTime() + ":";
        Database db = new Database("red", "redis", "127.0.0.1", 6379, "0", null, null, "active", false, null, null, Map.of("key_prefix", prefix));
        try (Jedis jedis = new Jedis("127.0.0.1", 6379)) {
            try (Target old = open(db); Target oldIdle = open(db); Target next = open(db)) {
                old.fence("s", 1);
                oldIdle.fence("s", 1);
                old.begin();
                old.insertRows(T, rows("1\told\n"));
                next.fence("s", 2); // at once: Redis has no lock to wait for
                assertThatThrownBy(old::commit).hasMessageContaining(Target.STANDING_DOWN);
                assertThat(jedis.exists(prefix + "t:1")).as("the older owner's batch was refused whole").isFalse();

                next.begin();
                next.insertRows(T, rows("2\tnew\n"));
                next.commit();
                assertThat(jedis.hget(prefix + "t:2", "v")).isEqualTo("new");
                assertThatThrownBy(oldIdle::begin).hasMessageContaining(Target.STANDING_DOWN);
                assertThatThrownBy(() -> open(db).fence("s", 1)).hasMessageContaining(Target.STANDING_DOWN);
            } finally {
                for (String k : jedis.keys(prefix + "*")) {
                    jedis.del(k);
                }
            }
        }
    }

    /**
     * A copy into Redis goes in chunks of 20,000 commands, each its own MULTI/EXEC under a WATCH of the fence: the
     * older owner's chunk in flight when the newer owner raises the fence is refused whole; the chunk before stays
     * (it was applied before the raise).
     */
    @Test
    void redisRefusesTheCopyChunkSentAcrossTheRaise() throws Exception {
        String prefix = "fencecopy" + ProcessHandle.current().pid() + "_" + System.nanoTime() + ":";
        Database db = new Database("red", "redis", "127.0.0.1", 6379, "0", null, null, "active", false, null, null, Map.of("key_prefix", prefix));
        try (Jedis jedis = new Jedis("127.0.0.1", 6379); Target old = open(db); Target next = open(db)) {
            try {
                old.fence("s", 1);
                old.begin();
                old.emptyForCopy(T, "truncate");
                StringBuilder rows = new StringBuilder();
                for (int i = 1; i <= 30_000; i++) {
                    rows.append(i).append("\tcopy\n");
                }
                byte[] text = rows.toString().getBytes(StandardCharsets.UTF_8);
                int raiseAt = rows.indexOf("25000\t"); // within the second chunk
                java.io.InputStream stream = new java.io.InputStream() {
                    private int at;

                    @Override
                    public int read() {
                        if (at == raiseAt) {
                            next.fence("s", 2); // the newer owner takes the sync over here
                        }
                        return at < text.length ? text[at++] & 0xff : -1;
                    }
                };
                assertThatThrownBy(() -> {
                    old.insertRows(T, stream);
                    old.commit();
                }).hasMessageContaining(Target.STANDING_DOWN);
                long written = (Long) jedis.eval("return #redis.call('KEYS', ARGV[1])", List.of(), List.of(prefix + "t:*"));
                assertThat(written).as("the first chunk (before the raise) only").isEqualTo(20_000);
            } finally {
                for (String k : jedis.keys(prefix + "*")) {
                    jedis.del(k);
                }
            }
        }
    }

    private static Target open(Database db) {
        return TargetRegistry.installed().require(db).open(db, "ibex-fence-test");
    }

    private static ByteArrayInputStream rows(String copyText) {
        return new ByteArrayInputStream(copyText.getBytes(StandardCharsets.UTF_8));
    }
}
