package io.ibex.it.redis;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Replication into the Redis service under a concurrent write load: a hash per row under table:key, composite keys
 * joined with colons, null columns left out, TRUNCATE, the initial copy (onetimecopy 1 and 2) and fullcopy. Each test
 * has its own key prefix, so that tests running at the same time never see each other's keys.
 */
@ExtendWith(ServersPerClass.class)
class RedisTargetTest {

    @Server("17") static PostgresServer server;
    Jedis jedis;
    String prefix;

    static final String[] TABLES = {
        "CREATE TABLE items (id int PRIMARY KEY, name text, qty int, price numeric(10,2), flag boolean, born date)",
        "INSERT INTO items SELECT g, 'item ' || g, g % 100, g * 1.5, g % 2 = 0, date '2024-01-01' + g FROM generate_series(1, 3000) g",
        "CREATE TABLE pairs (a int, b text, v text, PRIMARY KEY (a, b))",
        "INSERT INTO pairs SELECT g % 50, 'b:' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'v' || g END FROM generate_series(1, 1000) g",
    };

    @BeforeEach
    void connect() {
        jedis = RedisSide.connect();
        prefix = "ibexit:" + ProcessHandle.current().pid() + ":" + System.nanoTime() + ":";
    }

    @AfterEach
    void clean() {
        RedisSide.clear(jedis, prefix);
        jedis.close();
    }

    Replication setUp(String onetimecopy, Map<String, String> redisOptions) throws Exception {
        Replication r = new Replication(server, server);
        r.execSource(TABLES);
        r.ibex.addDatabase("source", Replication.dbParams(server, r.sourceDb), false);
        Map<String, String> redis = new java.util.HashMap<>(Map.of("type", "redis", "dbhost", RedisSide.HOST,
                "dbport", String.valueOf(RedisSide.PORT), "key_prefix", prefix));
        redis.putAll(redisOptions);
        r.ibex.addDatabase("redis", redis, false);
        r.ibex.addTables(List.of("items", "pairs"), Map.of("db", "source", "relgroup", "rg"), false);
        r.ibex.addSync("toredis", Map.of("relgroup", "rg", "db", "source,redis", "onetimecopy", onetimecopy));
        return r;
    }

    /** Each attempt with a connection of its own: one that timed out is broken. */
    void awaitEqual(Replication r, String itemsPrefix, String pairsPrefix) throws Exception {
        try (Connection c = r.source()) {
            Waits.await(Duration.ofSeconds(120), "Redis to hold the source's rows", Waits.quietly(() -> {
                try (Jedis j = RedisSide.connect()) {
                    return RedisSide.expected(c, "items", "", List.of("id")).equals(RedisSide.actual(j, itemsPrefix))
                            && RedisSide.expected(c, "pairs", "", List.of("a", "b")).equals(RedisSide.actual(j, pairsPrefix));
                }
            }));
            var items = RedisSide.expected(c, "items", "", List.of("id"));
            assertThat(RedisSide.actual(jedis, itemsPrefix)).hasSameSizeAs(items).isEqualTo(items);
            var pairs = RedisSide.expected(c, "pairs", "", List.of("a", "b"));
            assertThat(RedisSide.actual(jedis, pairsPrefix)).hasSameSizeAs(pairs).isEqualTo(pairs);
        }
    }

    @Test
    void followsConcurrentWritesAndTruncate() throws Exception {
        try (Replication r = setUp("1", Map.of())) {
            r.startDaemon();
            awaitEqual(r, prefix + "items:", prefix + "pairs:"); // the initial copy
            assertThat(jedis.hgetAll(prefix + "items:7")).containsEntry("name", "item 7").containsEntry("qty", "7")
                    .containsEntry("price", "10.50").containsEntry("flag", "f").containsEntry("born", "2024-01-08").doesNotContainKey("id");
            assertThat(jedis.hgetAll(prefix + "pairs:3:b:3")).isEmpty(); // v is null: no field, no hash
            assertThat(jedis.hgetAll(prefix + "pairs:1:b:1")).isEqualTo(Map.of("v", "v1"));

            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread load = new Thread(() -> {
                Random rnd = new Random(24);
                try (Connection c = r.source(); var s = c.createStatement()) {
                    for (int i = 0; !stop.get(); i++) {
                        int id = 1 + rnd.nextInt(3000);
                        s.execute("UPDATE items SET qty = qty + 1, name = CASE WHEN qty % 5 = 0 THEN NULL ELSE name || '+' END WHERE id = " + id);
                        s.execute("INSERT INTO items VALUES (" + (10_000 + i) + ", 'new', 1, 2.25, true, NULL)");
                        if (i % 7 == 0) {
                            s.execute("DELETE FROM items WHERE id = " + (1 + rnd.nextInt(3000)));
                        }
                        if (i % 11 == 0) {
                            s.execute("UPDATE items SET id = id + 100000 WHERE id = " + (1 + rnd.nextInt(3000))); // a key that moves
                        }
                        s.execute("UPDATE pairs SET v = 'w" + i + "' WHERE a = " + rnd.nextInt(50));
                    }
                } catch (Exception e) {
                    failed.set(e);
                }
            });
            load.start();
            Thread.sleep(2000);
            r.execSource("TRUNCATE pairs", "INSERT INTO pairs SELECT g, 'after', 'x' || g FROM generate_series(1, 40) g");
            Thread.sleep(2000);
            stop.set(true);
            load.join();
            assertThat(failed.get()).isNull();
            awaitEqual(r, prefix + "items:", prefix + "pairs:");
            assertThat(jedis.hgetAll(prefix + "pairs:3:after")).containsKey("v");
            assertThat(RedisSide.actual(jedis, prefix + "pairs:")).hasSizeGreaterThanOrEqualTo(40).allSatisfy((k, v) -> assertThat(k).doesNotContain(":b:"));
        }
    }

    @Test
    void onetimecopy2SkipsATableRedisHasAndSchemaPrefixNamesTheSchema() throws Exception {
        String items = prefix + "public.items:";
        jedis.hset(items + "1", Map.of("name", "item 1", "qty", "1", "price", "1.50", "flag", "f", "born", "2024-01-02"));
        try (Replication r = setUp("2", Map.of("schema_prefix", "1"))) {
            r.execSource("UPDATE items SET qty = 0 WHERE id = 2"); // after add sync, before the copy: a change it applies
            r.startDaemon();
            // pairs is copied; items, which Redis has rows of, is not: it only gets the changes after the sync began
            Waits.await(Duration.ofSeconds(60), "pairs copied", Waits.quietly(() -> RedisSide.actual(jedis, prefix + "public.pairs:").size() > 600));
            r.execSource("UPDATE items SET name = 'changed' WHERE id IN (1, 5)");
            Waits.await(Duration.ofSeconds(30), "the change of items", Waits.quietly(() -> "changed".equals(jedis.hget(items + "5", "name"))));
            try (Connection c = r.source()) {
                var changed = new java.util.TreeMap<>(RedisSide.expected(c, "items", "", List.of("id")));
                changed.keySet().retainAll(List.of("1", "2", "5"));
                assertThat(RedisSide.actual(jedis, items)).isEqualTo(changed);
                assertThat(changed.get("1")).containsEntry("name", "changed");
                assertThat(RedisSide.actual(jedis, prefix + "public.pairs:")).isEqualTo(RedisSide.expected(c, "pairs", "", List.of("a", "b")));
            }
        }
    }

    @Test
    void fullcopyReplacesTheTablesOnEachKick() throws Exception {
        try (Replication r = new Replication(server, server)) {
            r.execSource(TABLES);
            r.ibex.addDatabase("source", Replication.dbParams(server, r.sourceDb), false);
            r.ibex.addDatabase("redis", Map.of("type", "redis", "dbhost", RedisSide.HOST, "dbname", "0", "key_prefix", prefix), false);
            jedis.hset(prefix + "items:999999", Map.of("name", "stale"));
            r.ibex.addTables(List.of("items", "pairs"), Map.of("db", "source", "relgroup", "rg"), false);
            r.ibex.addDbGroup("copygroup", List.of("source:source", "redis:fullcopy"));
            r.ibex.addSync("fc", Map.of("relgroup", "rg", "dbs", "copygroup"));
            r.startDaemon();
            r.execSource("DELETE FROM items WHERE id < 100", "UPDATE pairs SET v = 'kicked' WHERE a = 1");
            var at = r.ibex.kick("fc");
            assertThat(r.ibex.awaitRun("fc", at, Duration.ofSeconds(60), d -> { })).isEqualTo(io.ibex.api.Ibex.KickOutcome.DONE);
            awaitEqual(r, prefix + "items:", prefix + "pairs:");
            assertThat(jedis.exists(prefix + "items:999999")).isFalse();
        }
    }

    @Test
    void badInputGetsOneLine() throws Exception {
        try (Replication r = setUp("0", Map.of())) {
            Map<String, String> base = Map.of("type", "redis", "dbhost", RedisSide.HOST);
            assertThatThrownBy(() -> r.ibex.addDatabase("r1", with(base, "dbname", "cache"), false))
                    .hasMessage("add db: dbname of a Redis database is its number (0, 1, ...), not \"cache\"");
            assertThatThrownBy(() -> r.ibex.addDatabase("r2", with(base, "schema_prefix", "maybe"), false))
                    .hasMessage("add db: schema_prefix must be 0 or 1, not \"maybe\"");
            assertThatThrownBy(() -> r.ibex.addDatabase("r3", with(base, "dbport", "1"), false))
                    .hasMessageStartingWith("database \"r3\": cannot connect to Redis at 127.0.0.1:1: ").hasMessageNotContaining("\n");
            assertThat(r.ibex.databases()).extracting(d -> d.name()).containsExactlyInAnyOrder("source", "redis");
            assertThat(r.ibex.databases()).filteredOn(d -> d.name().equals("redis")).singleElement()
                    .satisfies(d -> assertThat(d.options()).isEqualTo(Map.of("key_prefix", prefix)))
                    .satisfies(d -> assertThat(d.dbname()).isEqualTo("0"))
                    .satisfies(d -> assertThat(d.port()).isEqualTo(6379));
        }
    }

    static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }
}
