package io.ibex.it.redis;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis target that goes away and comes back (a Redis server of the test's own, its data kept in an append-only
 * file): the sync turns Bad while it is down, then Good by itself once it is back, with every change applied.
 */
@ExtendWith(ServersPerClass.class)
class RedisOutageTest {

    @Server("17") static PostgresServer server;
    Process redis;
    Path dir;
    int port;

    void startRedis() throws Exception {
        redis = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "yes", "--appendfsync", "always", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        Waits.await(Duration.ofSeconds(20), "redis-server up", Waits.quietly(() -> {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                return "PONG".equals(j.ping());
            }
        }));
    }

    @AfterEach
    void stopRedis() {
        if (redis != null) {
            redis.destroyForcibly();
        }
    }

    @Test
    void badWhileDownThenGoodByItself() throws Exception {
        dir = Files.createTempDirectory("ibex-redis");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        startRedis();
        try (Replication r = new Replication(server, server)) {
            r.execSource("CREATE TABLE items (id int PRIMARY KEY, name text, qty int)",
                    "INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1, 2000) g");
            r.ibex.addDatabase("source", Replication.dbParams(server, r.sourceDb), false);
            r.ibex.addDatabase("redis", Map.of("type", "redis", "dbhost", "127.0.0.1", "dbport", String.valueOf(port), "dbname", "3"), false);
            r.ibex.addTables(List.of("items"), Map.of("db", "source", "relgroup", "rg"), false);
            r.ibex.addSync("toredis", Map.of("relgroup", "rg", "db", "source,redis", "onetimecopy", "1"));
            r.startDaemon();
            awaitEqual(r);

            redis.destroy(); // SIGTERM: Redis shuts down, its append-only file written
            redis.waitFor();
            r.execSource("UPDATE items SET qty = qty * 2 WHERE id % 3 = 0", "DELETE FROM items WHERE id > 1900",
                    "INSERT INTO items VALUES (5001, 'while down', NULL)");
            Waits.await(Duration.ofSeconds(60), "sync Bad while Redis is down",
                    Waits.quietly(() -> r.ibex.status("toredis").currentState().equals("Bad")));
            r.execSource("UPDATE items SET name = NULL WHERE id % 10 = 0");

            startRedis();
            r.execSource("UPDATE items SET name = 'back' WHERE id = 5");
            awaitEqual(r);
            Waits.await(Duration.ofSeconds(60), "sync Good by itself", Waits.quietly(() -> r.ibex.status("toredis").currentState().equals("Good")));
            try (Jedis jedis = database3()) {
                assertThat(jedis.hgetAll("items:5001")).isEqualTo(Map.of("name", "while down"));
                assertThat(jedis.hget("items:10", "name")).isNull();
            }
        }
    }

    Jedis database3() {
        Jedis jedis = new Jedis("127.0.0.1", port);
        jedis.select(3);
        return jedis;
    }

    /** With a connection of each attempt's own: one made before Redis went away is broken. */
    void awaitEqual(Replication r) throws Exception {
        try (Connection c = r.source()) {
            Waits.await(Duration.ofSeconds(90), "Redis to hold the source's rows", Waits.quietly(() -> {
                try (Jedis jedis = database3()) {
                    return RedisSide.expected(c, "items", "", List.of("id")).equals(RedisSide.actual(jedis, "items:"));
                }
            }));
        }
        try (Connection c = r.source(); Jedis jedis = database3()) {
            var expected = RedisSide.expected(c, "items", "", List.of("id"));
            assertThat(RedisSide.actual(jedis, "items:")).hasSameSizeAs(expected).isEqualTo(expected);
        }
    }
}
