package io.ibex.redis;

import io.ibex.IbexException;
import io.ibex.model.Database;
import io.ibex.spi.Target;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetProvider;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisException;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Redis as a target (type redis), in Bucardo's layout: a hash per row (see {@link RedisKeys}). dbname is the database
 * number (default 0); dbuser and dbpass are Redis's ACL user and password (AUTH).
 */
public final class RedisTargetProvider implements TargetProvider {

    public static final String TYPE = "redis";
    static final int DEFAULT_PORT = 6379;
    private static final int TIMEOUT_MS = 60_000;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<TargetCapability> capabilities() {
        return EnumSet.of(TargetCapability.TRUNCATE, TargetCapability.READ_ROWS);
    }

    /** Bucardo's: the local server's first database; "default" is the user of Redis's AUTH with a password alone. */
    @Override
    public Map<String, String> optionDefaults() {
        return Map.of("dbhost", "127.0.0.1", "dbport", String.valueOf(DEFAULT_PORT), "dbname", "0", "dbuser", "default");
    }

    @Override
    public Set<String> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<String> options() {
        return Set.of(RedisKeys.KEY_PREFIX, RedisKeys.SCHEMA_PREFIX);
    }

    @Override
    public void checkOptions(Database d) {
        if (!d.dbname().matches("[0-9]{1,5}")) {
            throw new IbexException("add db: dbname of a Redis database is its number (0, 1, ...), not \"" + d.dbname() + "\"");
        }
        RedisKeys.check(d.options());
    }

    @Override
    public String url(Database db) {
        return "redis://" + db.host() + ":" + db.port() + "/" + db.dbname();
    }

    @Override
    public Target open(Database db, String applicationName) {
        return new RedisTarget(db.name(), connect(db, applicationName), RedisKeys.of(db.options()));
    }

    /** A connection that has answered PING; one line naming the database if it cannot. */
    static Jedis connect(Database db, String applicationName) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .database(Integer.parseInt(db.dbname()))
                .clientName(applicationName.replaceAll("[^A-Za-z0-9_.-]", "_"))
                .connectionTimeoutMillis(10_000)
                .socketTimeoutMillis(TIMEOUT_MS)
                .protocol(RedisProtocol.RESP2);
        if (db.password() != null) {
            config.user(db.user()).password(db.password());
        }
        Jedis jedis = null;
        try {
            jedis = new Jedis(new HostAndPort(db.host(), db.port()), config.build());
            jedis.ping();
            return jedis;
        } catch (JedisException e) {
            if (jedis != null) {
                jedis.close();
            }
            throw new IbexException("database \"" + db.name() + "\": cannot connect to Redis at " + db.host() + ":" + db.port()
                    + ": " + RedisTarget.firstLine(e.getCause() != null ? e.getCause() : e));
        }
    }
}
