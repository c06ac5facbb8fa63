package io.ibex.redis;

import io.ibex.model.KeyRange;
import io.ibex.model.TableInfo;
import io.ibex.spi.ApplyException;
import io.ibex.spi.CopyTextDecoder;
import io.ibex.spi.SequenceSettings;
import io.ibex.spi.Target;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One Redis database as a target. A batch is one MULTI/EXEC, pipelined ({@link RedisWrites}): Redis runs it at EXEC
 * without any other client's command in between, so a reader sees a batch whole or not at all; a batch that fails
 * before EXEC is discarded. A truncate deletes the table's keys with a script (SCAN and DEL) inside the same MULTI.
 * A full copy is not one transaction (Redis would hold every row of it in memory until EXEC): its table's keys are
 * deleted, then its rows written in pipelined chunks; a copy that fails is done again from the start, and until it
 * is done readers may see part of the table.
 */
final class RedisTarget implements Target {

    private final String name;
    private final Jedis jedis;
    private final RedisKeys keys;
    private RedisWrites writes;

    RedisTarget(String name, Jedis jedis, RedisKeys keys) {
        this.name = name;
        this.jedis = jedis;
        this.keys = keys;
    }

    /** Raises a sync's fence key to an epoch if it holds less, in one step; returns what it holds then. */
    static final String RAISE_FENCE = """
            local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
            if cur < tonumber(ARGV[1]) then
              redis.call('SET', KEYS[1], ARGV[1])
              return tonumber(ARGV[1])
            end
            return cur
            """;

    /** What a sync's fence key is named after the key prefix: as no table's keys are (a table's are "table:key"). */
    static final String FENCE = "__ibex_fence__:";

    /** The fenced sync, its key and epoch (null: not fenced). */
    private String fenceSync;
    private String fenceKey;
    private long fenceEpoch;

    /**
     * A sync's fence in Redis: the key {@code [key_prefix]__ibex_fence__:SYNC} holds the newest owner's epoch, raised by a
     * script before the owner's first write. Each batch WATCHes it and reads it before its MULTI: an older owner's
     * batch finds the newer epoch, or, raised while it was being sent, has its EXEC refused by Redis.
     */
    @Override
    public void fence(String sync, long epoch) {
        String key = keys.keyPrefix() + FENCE + sync;
        Object now = call(() -> jedis.eval(RAISE_FENCE, List.of(key), List.of(String.valueOf(epoch))));
        if (!(now instanceof Long held) || held != epoch) {
            throw ApplyException.standingDown(name, sync, now, epoch);
        }
        fenceSync = sync;
        fenceKey = key;
        fenceEpoch = epoch;
    }

    /** Before a fenced session's writes: WATCH the fence's key and check it still holds this session's epoch. */
    private void watchFence() {
        if (fenceKey == null) {
            return;
        }
        String held = call(() -> {
            jedis.watch(fenceKey);
            return jedis.get(fenceKey);
        });
        if (!String.valueOf(fenceEpoch).equals(held)) {
            call(() -> jedis.unwatch());
            throw ApplyException.standingDown(name, fenceSync, held, fenceEpoch);
        }
    }

    @Override
    public void begin() {
        discard();
        watchFence();
        writes = RedisWrites.transaction(jedis);
    }

    private RedisWrites writes() {
        if (writes == null) {
            begin();
        }
        return writes;
    }

    /** Redis has no tables (a row's hash takes whatever fields it is given), but a row's key needs the table's key. */
    @Override
    public void checkTable(TableInfo source) {
        if (source.keyColumns().isEmpty()) {
            throw new ApplyException("database \"" + name + "\": table " + source.qualifiedName()
                    + " has no primary key, which a Redis target needs to name its rows' hashes", null, null);
        }
    }

    @Override
    public void truncate(TableInfo table) {
        call(() -> {
            writes().deleteMatching(keys.pattern(table));
            return null;
        });
    }

    @Override
    public void empty(TableInfo table, String deletemethod) {
        truncate(table);
    }

    @Override
    public io.ibex.spi.CopyPath emptyForCopy(TableInfo table, String deletemethod) {
        discard();
        watchFence();
        return call(() -> {
            RedisWrites.deleteMatchingNow(jedis, keys.pattern(table)); // under the WATCH: the first chunk checks it
            writes = RedisWrites.chunked(jedis, this::watchFence);
            return io.ibex.spi.CopyPath.keptAll("keys deleted, then the rows written in pipelined chunks (no MULTI)");
        });
    }

    @Override
    public boolean hasRows(TableInfo table) {
        return call(() -> RedisWrites.anyMatching(jedis, keys.pattern(table)));
    }

    @Override
    public void reindex(TableInfo table) {
    }

    @Override
    public void analyze(TableInfo table) {
    }

    @Override
    public long deleteKeys(TableInfo table, InputStream keyStream, KeyRange range) {
        String prefix = keys.tablePrefix(table);
        return call(() -> {
            CopyTextDecoder in = new CopyTextDecoder(keyStream);
            long n = 0;
            for (List<String> key = in.next(); key != null; key = in.next()) {
                writes().delete(RedisKeys.key(prefix, key));
                n++;
            }
            return n;
        });
    }

    /** Only for a range that holds every integer from its low to its high key (see KeyRange#holdsExactly). */
    @Override
    public long deleteRange(TableInfo table, KeyRange range) {
        String prefix = keys.tablePrefix(table);
        long low = Long.parseLong(range.low().get(0));
        long high = Long.parseLong(range.high().get(0));
        return call(() -> {
            for (long k = low; k <= high; k++) {
                writes().delete(prefix + k);
            }
            return high - low + 1;
        });
    }

    @Override
    public long insertRows(TableInfo table, InputStream rows) {
        checkTable(table);
        String prefix = keys.tablePrefix(table);
        List<String> columns = table.columnNames();
        List<Integer> keyAt = table.keyColumns().stream().map(columns::indexOf).toList();
        boolean[] isKey = new boolean[columns.size()];
        keyAt.forEach(i -> isKey[i] = true);
        return call(() -> {
            CopyTextDecoder in = new CopyTextDecoder(rows);
            long n = 0;
            List<String> keyValues = new ArrayList<>(keyAt.size());
            for (List<String> row = in.next(); row != null; row = in.next()) {
                if (row.size() != columns.size()) {
                    throw new IOException("a row of " + table.qualifiedName() + " has " + row.size() + " fields, not " + columns.size());
                }
                keyValues.clear();
                for (int i : keyAt) {
                    keyValues.add(row.get(i));
                }
                Map<String, String> fields = new HashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    if (!isKey[i] && row.get(i) != null) {
                        fields.put(columns.get(i), row.get(i));
                    }
                }
                writes().replace(RedisKeys.key(prefix, keyValues), fields);
                n++;
            }
            return n;
        });
    }

    /** Every hash of the table, as a row ({@link RedisRows}); for {@code ibex verify}. */
    @Override
    public void readRows(TableInfo table, RowSink sink) throws IOException {
        checkTable(table);
        try {
            RedisRows.read(jedis, keys, table, sink);
        } catch (JedisException e) {
            throw new IOException("database \"" + name + "\": " + firstLine(e), e);
        }
    }

    /** A row whose columns are all key columns or null has no hash: Redis has no empty hash. */
    @Override
    public boolean holdsRowsWithoutValues() {
        return false;
    }

    /** Redis keeps no sequences. */
    @Override
    public boolean setSequence(String schema, String name, long lastValue, boolean isCalled, SequenceSettings settings) {
        return false;
    }

    @Override
    public void commit() {
        if (writes != null) {
            RedisWrites w = writes;
            writes = null;
            call(() -> {
                w.end();
                return null;
            });
        }
    }

    @Override
    public void rollback() {
        discard();
    }

    private void discard() {
        if (writes != null) {
            RedisWrites w = writes;
            writes = null;
            try {
                w.abandon();
            } catch (RuntimeException e) {
                jedis.close(); // the connection's state is unknown: nothing more goes through it
            }
        }
    }

    @Override
    public void close() {
        discard();
        jedis.close();
    }

    private interface Body<T> {
        T run() throws IOException;
    }

    /** Runs a step; a Redis or stream failure becomes one line naming the database, and the batch is discarded. */
    private <T> T call(Body<T> body) {
        try {
            return body.run();
        } catch (JedisException | IOException | UncheckedIOException e) {
            discard();
            throw new ApplyException("database \"" + name + "\": " + firstLine(e), null, e);
        }
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
