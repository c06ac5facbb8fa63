package io.ibex.it.redis;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.verify.CompareResult;
import io.ibex.verify.CompareResult.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ibex verify} on a Redis target: after the copy and a concurrent write load it finds every table identical
 * (values of many types, a composite key whose last value holds colons, rows and a table with nothing but their
 * key, which Redis cannot hold), and it names a changed field, a field of no column, a missing key and an extra key.
 */
@ExtendWith(ServersPerClass.class)
class RedisVerifyTest {

    @Server("17") static PostgresServer server;
    Jedis jedis;
    String prefix;

    static final String[] TABLES = {
        "CREATE TABLE vals (id bigint PRIMARY KEY, n numeric(12,4), r real, d double precision, b boolean, raw bytea, at timestamptz,"
                + " day date, t text, j jsonb, arr int[], u uuid)",
        "INSERT INTO vals SELECT g, g / 7.0, g / 3.0, g / 11.0, g % 2 = 0, decode(md5(g::text), 'hex'), now() - g * interval '1 minute',"
                + " date '2024-02-29' + g, E'line\\n\\ttab ' || g || ' ☃', jsonb_build_object('k', g), ARRAY[g, NULL], md5(g::text)::uuid"
                + " FROM generate_series(1, 3000) g",
        "INSERT INTO vals (id) VALUES (-1)", // nothing but its key: no hash
        "INSERT INTO vals (id, n, r, d) VALUES (-2, 'NaN', 'Infinity', '-Infinity')", // Redis holds what MariaDB cannot
        "CREATE TABLE pairs (a int, b text, v int, PRIMARY KEY (a, b))",
        "INSERT INTO pairs SELECT g % 40, 'b:' || g || ':x', g FROM generate_series(1, 1000) g",
        "CREATE TABLE keysonly (a int, b int, PRIMARY KEY (a, b))",
        "INSERT INTO keysonly SELECT g, g FROM generate_series(1, 50) g",
    };

    @BeforeEach
    void connect() {
        jedis = RedisSide.connect();
        prefix = "ibexv:" + ProcessHandle.current().pid() + ":" + System.nanoTime() + ":";
    }

    @AfterEach
    void clean() {
        RedisSide.clear(jedis, prefix);
        jedis.close();
    }

    @Test
    void cleanAfterConvergenceThenEachDifferenceNamed() throws Exception {
        try (Replication r = new Replication(server, server)) {
            r.execSource(TABLES);
            r.ibex.addDatabase("source", Replication.dbParams(server, r.sourceDb), false);
            r.ibex.addDatabase("redis", Map.of("type", "redis", "dbhost", RedisSide.HOST, "dbport", String.valueOf(RedisSide.PORT),
                    "key_prefix", prefix), false);
            r.ibex.addTables(List.of("vals", "pairs", "keysonly"), Map.of("db", "source", "relgroup", "rg"), false);
            r.ibex.addSync("toredis", Map.of("relgroup", "rg", "db", "source,redis", "onetimecopy", "1"));
            r.startDaemon();
            load(r, Duration.ofSeconds(2));
            Ibex.Verification v = awaitVerified(r.ibex, Duration.ofSeconds(90));
            Map<String, Ibex.TableVerification> byTable = byTable(v);
            try (Connection c = r.source()) {
                long keyOnly = count(c, "SELECT count(*) FROM vals WHERE n IS NULL AND r IS NULL AND d IS NULL AND b IS NULL AND raw IS NULL"
                        + " AND at IS NULL AND day IS NULL AND t IS NULL AND j IS NULL AND arr IS NULL AND u IS NULL");
                assertThat(keyOnly).as("rows with nothing but their key").isGreaterThanOrEqualTo(1);
                assertThat(byTable.get("public.vals").sourceRows()).isEqualTo(count(c, "SELECT count(*) FROM vals") - keyOnly)
                        .isEqualTo(byTable.get("public.vals").targetRows()).isGreaterThan(2000);
                assertThat(byTable.get("public.pairs").targetRows()).isEqualTo(count(c, "SELECT count(*) FROM pairs")).isEqualTo(1000);
                assertThat(byTable.get("public.keysonly").targetRows()).isZero();
                // the same by the test's own reading of both sides: every field's text as PostgreSQL writes it
                assertThat(RedisSide.actual(jedis, prefix + "pairs:")).isEqualTo(RedisSide.expected(c, "pairs", "", List.of("a", "b")));
                assertThat(RedisSide.actual(jedis, prefix + "vals:")).hasSize((int) byTable.get("public.vals").targetRows());
            }
            r.stopDaemon();

            List<String> ids = new java.util.ArrayList<>();
            try (Connection c = r.source(); Statement s = c.createStatement();
                 var rs = s.executeQuery("SELECT id FROM vals WHERE id BETWEEN 1 AND 3000 ORDER BY id LIMIT 3")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            jedis.hset(prefix + "vals:" + ids.get(0), "t", "changed in Redis");
            jedis.hset(prefix + "vals:" + ids.get(1), "nosuchcolumn", "1");
            jedis.del(prefix + "vals:" + ids.get(2));
            jedis.hset(prefix + "vals:999999", Map.of("t", "only in Redis"));
            jedis.hset(prefix + "pairs:1:b:1:x", "v", "-999"); // the load only adds to v
            v = r.ibex.verify("toredis", List.of(), 10, (t, target, done, total) -> { });
            assertThat(v.identical()).isFalse();
            CompareResult vals = byTable(v).get("public.vals").details();
            assertThat(vals.different()).isEqualTo(2);
            assertThat(vals.missingOnTarget()).isEqualTo(1);
            assertThat(vals.extraOnTarget()).isEqualTo(1);
            assertThat(vals.differences()).containsExactlyInAnyOrder(new CompareResult.KeyDifference(Kind.DIFFERENT, List.of(ids.get(0))),
                    new CompareResult.KeyDifference(Kind.DIFFERENT, List.of(ids.get(1))),
                    new CompareResult.KeyDifference(Kind.MISSING_ON_TARGET, List.of(ids.get(2))),
                    new CompareResult.KeyDifference(Kind.EXTRA_ON_TARGET, List.of("999999")));
            assertThat(byTable(v).get("public.pairs").details().differences())
                    .containsExactly(new CompareResult.KeyDifference(Kind.DIFFERENT, List.of("1", "b:1:x")));
            assertThat(byTable(v).get("public.keysonly").identical()).isTrue();
        }
    }

    /** Updates, inserts (some with nothing but a key), deletes and key moves on the source, in small transactions. */
    static void load(Replication r, Duration during) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Exception> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (Connection c = r.source(); Statement s = c.createStatement()) {
                for (int i = 0; !stop.get(); i++) {
                    int id = ThreadLocalRandom.current().nextInt(1, 3000);
                    s.execute("UPDATE vals SET n = n + 0.5, t = CASE WHEN t IS NULL THEN 'back' ELSE NULL END, raw = '\\x00ff'::bytea, at = now()"
                            + " WHERE id = " + id);
                    s.execute("INSERT INTO vals (id, d) VALUES (" + (100_000 + i) + ", CASE WHEN " + i + " % 4 = 0 THEN NULL ELSE 1e-300 END)");
                    s.execute("DELETE FROM vals WHERE id = " + (id + 1));
                    s.execute("UPDATE pairs SET v = v + 1 WHERE a = " + (id % 40));
                    if (i % 9 == 0) {
                        s.execute("UPDATE vals SET id = id + 1000000 WHERE id = " + (id + 2));
                    }
                    Thread.sleep(5);
                }
            } catch (Exception e) {
                failed.set(e);
            }
        }, "redis-verify-load");
        t.start();
        Thread.sleep(during.toMillis());
        stop.set(true);
        t.join();
        assertThat(failed.get()).isNull();
    }

    static Ibex.Verification awaitVerified(Ibex ibex, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Ibex.Verification last = null;
        while (System.nanoTime() < deadline) {
            ibex.awaitRun("toredis", ibex.kick("toredis"), Duration.ofSeconds(30), d -> { });
            last = ibex.verify("toredis", List.of(), 10, (t, target, done, total) -> { });
            if (last.identical()) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not identical after " + timeout + ": " + last);
    }

    static Map<String, Ibex.TableVerification> byTable(Ibex.Verification v) {
        Map<String, Ibex.TableVerification> m = new java.util.HashMap<>();
        v.tables().forEach(t -> m.put(t.table(), t));
        return m;
    }

    static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
