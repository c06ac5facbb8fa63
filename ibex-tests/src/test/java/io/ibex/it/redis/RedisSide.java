package io.ibex.it.redis;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Both sides of a Redis target, as values: the source's rows as Redis should hold them (each column's text as
 * PostgreSQL writes it, nulls and key columns left out, keys joined with colons) and Redis's hashes.
 */
final class RedisSide {

    static final String HOST = "127.0.0.1";
    static final int PORT = 6379;

    private RedisSide() {
    }

    /** A connection that waits long for an answer: a Redis shared with other tests may be slow to SCAN. */
    static Jedis connect() {
        return new Jedis(new HostAndPort(HOST, PORT), DefaultJedisClientConfig.builder().socketTimeoutMillis(60_000)
                .protocol(RedisProtocol.RESP2).build());
    }

    /** key (without the prefix) -> fields, from the source. Only rows with a field: Redis has no empty hash. */
    static Map<String, Map<String, String>> expected(Connection source, String table, String tablePrefix, List<String> keyColumns)
            throws SQLException {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
            int n = rs.getMetaData().getColumnCount();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                names.add(rs.getMetaData().getColumnName(i));
            }
            while (rs.next()) {
                Map<String, String> fields = new TreeMap<>();
                List<String> key = new ArrayList<>();
                for (String k : keyColumns) {
                    key.add(rs.getString(k));
                }
                for (int i = 1; i <= n; i++) {
                    String v = rs.getString(i);
                    if (!keyColumns.contains(names.get(i - 1)) && v != null) {
                        fields.put(names.get(i - 1), v);
                    }
                }
                if (!fields.isEmpty()) {
                    rows.put(tablePrefix + String.join(":", key), fields);
                }
            }
        }
        return rows;
    }

    /** Every hash whose key begins with the prefix, by key. */
    static Map<String, Map<String, String>> actual(Jedis jedis, String keyPrefix) {
        List<String> keys = new ArrayList<>();
        ScanParams params = new ScanParams().match(keyPrefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1") + "*").count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> r = jedis.scan(cursor, params);
            r.getResult().stream().filter(k -> !k.startsWith(keyPrefix + FENCE)).forEach(keys::add);
            cursor = r.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        Map<String, Response<Map<String, String>>> answers = new LinkedHashMap<>();
        Pipeline p = jedis.pipelined();
        for (String k : keys) {
            answers.put(k, p.hgetAll(k));
        }
        p.sync();
        Map<String, Map<String, String>> rows = new TreeMap<>();
        answers.forEach((k, v) -> rows.put(k.substring(keyPrefix.length()), new TreeMap<>(v.get())));
        return rows;
    }

    /** Where the daemon keeps a sync's fence under the key prefix (a string, not a row's hash). */
    static final String FENCE = "__ibex_fence__:";

    /** Deletes every key that begins with the prefix (a test's leftovers), the syncs' fences too. */
    static void clear(Jedis jedis, String keyPrefix) {
        actual(jedis, keyPrefix).keySet().forEach(k -> jedis.del(keyPrefix + k));
        jedis.keys(keyPrefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1") + FENCE + "*").forEach(jedis::del);
    }
}
