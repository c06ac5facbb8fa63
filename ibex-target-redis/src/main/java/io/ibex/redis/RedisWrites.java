package io.ibex.redis;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.PipeliningBase;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The writes of one batch or one copy, pipelined: sent without waiting for answers, which are read at the end.
 * A batch's are wrapped in one MULTI/EXEC; a copy's in one MULTI/EXEC every {@link #CHUNK} commands, so that neither
 * side keeps a whole table's commands in memory.
 */
abstract class RedisWrites {

    static final int CHUNK = 20_000;
    /** Keys deleted by one DEL: Redis's cost is mostly per command, so a key deleted alone costs as much as a hash written. */
    static final int KEYS_PER_DEL = 1000;

    /** Deletes every key that matches a SCAN pattern, in Redis, in one step; returns how many went. */
    static final String DELETE_MATCHING = """
            local cursor = '0'
            local n = 0
            repeat
              local r = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
              cursor = r[1]
              for i = 1, #r[2] do
                redis.call('DEL', r[2][i])
                n = n + 1
              end
            until cursor == '0'
            return n
            """;

    private PipeliningBase commands;
    private final List<String> toDelete = new ArrayList<>();

    private RedisWrites(PipeliningBase commands) {
        this.commands = commands;
    }

    /** The commands of a new chunk's transaction. */
    void use(PipeliningBase next) {
        this.commands = next;
    }

    static RedisWrites transaction(Jedis jedis) {
        Transaction tx = jedis.multi();
        return new RedisWrites(tx) {
            @Override
            void finish() {
                exec(tx);
            }

            @Override
            void abandon() {
                tx.discard();
            }

            @Override
            void sent() {
            }
        };
    }

    /**
     * A copy's writes: one MULTI/EXEC per {@link #CHUNK} commands, each preceded by beforeChunk (the sync's fence
     * WATCHed and checked), so that a chunk is applied whole or, if the fence moved meanwhile, refused whole.
     */
    static RedisWrites chunked(Jedis jedis, Runnable beforeChunk) {
        beforeChunk.run();
        Transaction first = jedis.multi();
        return new RedisWrites(first) {
            private Transaction tx = first;
            private int unanswered;

            @Override
            void finish() {
                exec(tx);
                unanswered = 0;
            }

            @Override
            void abandon() {
                tx.discard();
            }

            @Override
            void sent() {
                if (++unanswered >= CHUNK) {
                    finish();
                    beforeChunk.run();
                    tx = jedis.multi();
                    use(tx);
                }
            }
        };
    }

    /** EXEC of a transaction: refused (null) when a WATCHed key changed, which here is the sync's fence. */
    private static void exec(Transaction tx) {
        List<Object> answers = tx.exec();
        if (answers == null) {
            throw new JedisDataException("EXEC was refused: the sync's fence changed while the writes were sent (" + io.ibex.spi.Target.STANDING_DOWN + ")");
        }
        for (Object a : answers) {
            if (a instanceof Exception e) {
                throw new JedisDataException("a write failed: " + e.getMessage(), e);
            }
        }
    }

    /** Makes what was sent take effect (EXEC, or the last answers read); throws if a command failed. */
    abstract void finish();

    /** Gives up what was sent and not yet in effect (DISCARD); for a copy, nothing can be taken back. */
    abstract void abandon();

    abstract void sent();

    /** Deletes a key: with the next ones, in one DEL sent before any other command. */
    void delete(String key) {
        toDelete.add(key);
        if (toDelete.size() >= KEYS_PER_DEL) {
            flushDeletes();
        }
    }

    private void flushDeletes() {
        if (!toDelete.isEmpty()) {
            commands.del(toDelete.toArray(String[]::new));
            toDelete.clear();
            sent();
        }
    }

    /** Writes a row's fields into its hash (whose key was deleted before); a row without any field has no hash. */
    void replace(String key, Map<String, String> fields) {
        if (!fields.isEmpty()) {
            flushDeletes();
            commands.hset(key, fields);
            sent();
        }
    }

    void deleteMatching(String pattern) {
        flushDeletes();
        commands.eval(DELETE_MATCHING, List.of(), List.of(pattern));
        sent();
    }

    /** Sends what is held back, then makes it all take effect. */
    final void end() {
        flushDeletes();
        finish();
    }

    static long deleteMatchingNow(Jedis jedis, String pattern) {
        return (Long) jedis.eval(DELETE_MATCHING, List.of(), List.of(pattern));
    }

    static boolean anyMatching(Jedis jedis, String pattern) {
        ScanParams params = new ScanParams().match(pattern).count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> r = jedis.scan(cursor, params);
            if (!r.getResult().isEmpty()) {
                return true;
            }
            cursor = r.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        return false;
    }
}
