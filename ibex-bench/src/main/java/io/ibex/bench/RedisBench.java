package io.ibex.bench;

import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.engine.Daemon;
import io.ibex.spi.CopyTextDecoder;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.Pipeline;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Redis benchmark of issue 24, beside the main one: ibex's catch-up after an UPDATE of every row of a 1M-row
 * table into Redis, against a pipelined write of the same hashes measured in the same run (the rows read with COPY
 * from the same source and written with HSET, answers read every 20,000 commands, no MULTI), against the same write
 * from memory (no source read), and against Bucardo's way (one HSET a row, each answered before the next).
 * One embedded PostgreSQL 17 server; the Redis at --redis (default 127.0.0.1:6379), under a key prefix of its own
 * that it deletes at the end.
 *
 * <pre>java -Xmx512m -cp ibex-bench/target/ibex-bench.jar io.ibex.bench.RedisBench [--rows N] [--runs N] [--redis HOST:PORT]</pre>
 */
public final class RedisBench {

    private final int rows;
    private final String redisHost;
    private final int redisPort;
    private final String prefix = "ibexbench:" + ProcessHandle.current().pid() + ":";
    private final String pipePrefix = prefix + "pipe:";

    private RedisBench(int rows, String redisHost, int redisPort) {
        this.rows = rows;
        this.redisHost = redisHost;
        this.redisPort = redisPort;
    }

    public static void main(String[] args) throws Exception {
        int rows = 1_000_000;
        int runs = 3;
        String redis = "127.0.0.1:6379";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--redis" -> redis = args[++i];
                default -> {
                    System.err.println("usage: RedisBench [--rows N] [--runs N] [--redis HOST:PORT]");
                    System.exit(2);
                }
            }
        }
        Path out = Files.createDirectories(Path.of("target", "bench"));
        BenchLogging.logTo(out.resolve("redis-daemon.log"));
        String[] hp = redis.split(":");
        new RedisBench(rows, hp[0], Integer.parseInt(hp[1])).run(runs);
        System.exit(0);
    }

    private void run(int runs) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("shared_buffers", "256MB", "max_wal_size", "4GB", "checkpoint_timeout", "30min"));
        try (PostgresServer pg = PostgresServer.start("17", settings); Jedis jedis = new Jedis(new HostAndPort(redisHost, redisPort),
                DefaultJedisClientConfig.builder().socketTimeoutMillis(600_000).protocol(RedisProtocol.RESP2).build())) {
            pg.createDatabase("src");
            pg.createDatabase("repo");
            pg.execute("src", "CREATE TABLE accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84));"
                    + "INSERT INTO accounts SELECT g, 1 + (g - 1) / 100000, 0, '' FROM generate_series(1, " + rows + ") g");
            pg.execute("src", "VACUUM ANALYZE accounts");
            Ibex ibex = new Ibex(new ConnectionSpec(pg.host(), pg.port(), "repo", pg.superuser(), null));
            ibex.install();
            ibex.addDatabase("source", Map.of("dbhost", pg.host(), "dbport", String.valueOf(pg.port()), "dbname", "src",
                    "dbuser", pg.superuser()), false);
            ibex.addDatabase("redis", Map.of("type", "redis", "dbhost", redisHost, "dbport", String.valueOf(redisPort),
                    "key_prefix", prefix), false);
            ibex.addTables(List.of("accounts"), Map.of("db", "source", "relgroup", "bench"), false);
            ibex.addSync("toredis", Map.of("relgroup", "bench", "db", "source,redis", "onetimecopy", "1"));
            Daemon daemon = new Daemon(ibex.repositorySpec(), Files.createTempDirectory("ibex-redis-bench").resolve("ibex.pid"));
            Thread thread = new Thread(daemon::run, "daemon");
            thread.start();
            try {
                if (!daemon.awaitStarted(Duration.ofSeconds(60))) {
                    throw new IllegalStateException("the daemon did not start");
                }
                double copy = untilRun(ibex);
                say("initial copy of %,d rows into Redis: %.2f s (%,.0f rows/s)", rows, copy, rows / copy);
                List<double[]> results = new ArrayList<>();
                for (int r = 1; r <= runs; r++) {
                    double pipe = pipelinedFromSource(pg, jedis);
                    say("run %d: pipelined write from the source: %.2f s (%,.0f rows/s)", r, pipe, rows / pipe);
                    deletePrefix(jedis, pipePrefix);
                    double memory = pipelinedFromMemory(pg, jedis);
                    say("run %d: pipelined write from memory: %,.0f rows/s", r, memory);
                    deletePrefix(jedis, pipePrefix);
                    double catchUp = catchUp(pg, ibex, r);
                    say("run %d: catch-up %.2f s (%,.0f rows/s); pipelined write from the source %.2f s (%,.0f rows/s); "
                                    + "from memory %,.0f rows/s; catch-up / pipe %.2fx, / memory %.2fx", r, catchUp, rows / catchUp, pipe,
                            rows / pipe, memory, pipe / catchUp, (rows / catchUp) / memory);
                    results.add(new double[] {rows / catchUp, rows / pipe, memory});
                }
                double rowByRow = rowByRow(pg, jedis, Math.min(rows, 50_000));
                deletePrefix(jedis, pipePrefix);
                say("row by row (Bucardo's way: one HSET a row, each answered), %,d rows: %,.0f rows/s", Math.min(rows, 50_000), rowByRow);
                check(pg, jedis, runs);
                results.sort((a, b) -> Double.compare(a[0], b[0]));
                double[] median = results.get(results.size() / 2);
                say("median run: catch-up %,.0f rows/s = %.2fx the pipelined write from the source (%,.0f rows/s), %.2fx the write "
                                + "from memory (%,.0f rows/s), %.1fx row by row (%,.0f rows/s)", median[0], median[0] / median[1], median[1],
                        median[0] / median[2], median[2], median[0] / rowByRow, rowByRow);
            } finally {
                daemon.requestStop();
                thread.join(60_000);
                deletePrefix(jedis, prefix);
            }
        }
    }

    /** Kicks the sync and waits for a run that began after the kick; its seconds. */
    private static double untilRun(Ibex ibex) {
        long t0 = System.nanoTime();
        var kick = ibex.kick("toredis");
        if (ibex.awaitRun("toredis", kick, Duration.ofMinutes(20), d -> { }) != Ibex.KickOutcome.DONE) {
            throw new IllegalStateException("the sync's run did not finish: " + ibex.status("toredis").currentState());
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** From the commit of an UPDATE of every row to the end of the run that applied it (a kick's run: no sooner). */
    private double catchUp(PostgresServer pg, Ibex ibex, int run) throws Exception {
        pg.execute("src", "UPDATE accounts SET abalance = abalance + 1");
        return untilRun(ibex);
    }

    /** The same hashes read from the source with COPY and written with pipelined HSET (answers every 20,000). */
    private double pipelinedFromSource(PostgresServer pg, Jedis jedis) throws Exception {
        try (Connection c = pg.connect("src")) {
            long t0 = System.nanoTime();
            InputStream in = new PGCopyInputStream(c.unwrap(PGConnection.class), "COPY accounts TO STDOUT");
            CopyTextDecoder rows = new CopyTextDecoder(in);
            Pipeline p = jedis.pipelined();
            int n = 0;
            for (List<String> row = rows.next(); row != null; row = rows.next()) {
                p.hset(pipePrefix + "accounts:" + row.get(0), Map.of("bid", row.get(1), "abalance", row.get(2), "filler", row.get(3)));
                if (++n % 20_000 == 0) {
                    p.sync();
                }
            }
            p.sync();
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** The same hashes, built in memory first (200,000 of them, or all if fewer), then written pipelined; rows/s. */
    private double pipelinedFromMemory(PostgresServer pg, Jedis jedis) throws Exception {
        int n = Math.min(rows, 200_000);
        List<String> keys = new ArrayList<>(n);
        List<Map<String, String>> hashes = new ArrayList<>(n);
        try (Connection c = pg.connect("src")) {
            CopyTextDecoder rows = new CopyTextDecoder(new PGCopyInputStream(c.unwrap(PGConnection.class),
                    "COPY (SELECT * FROM accounts WHERE aid <= " + n + ") TO STDOUT"));
            for (List<String> row = rows.next(); row != null; row = rows.next()) {
                keys.add(pipePrefix + "accounts:" + row.get(0));
                hashes.add(Map.of("bid", row.get(1), "abalance", row.get(2), "filler", row.get(3)));
            }
        }
        long t0 = System.nanoTime();
        Pipeline p = jedis.pipelined();
        for (int i = 0; i < keys.size(); i++) {
            p.hset(keys.get(i), hashes.get(i));
            if ((i + 1) % 20_000 == 0) {
                p.sync();
            }
        }
        p.sync();
        return keys.size() / ((System.nanoTime() - t0) / 1e9);
    }

    /** Bucardo's way: one HSET a row, each answered before the next; rows/s. */
    private double rowByRow(PostgresServer pg, Jedis jedis, int n) throws Exception {
        try (Connection c = pg.connect("src")) {
            long t0 = System.nanoTime();
            CopyTextDecoder rows = new CopyTextDecoder(new PGCopyInputStream(c.unwrap(PGConnection.class),
                    "COPY (SELECT * FROM accounts WHERE aid <= " + n + ") TO STDOUT"));
            for (List<String> row = rows.next(); row != null; row = rows.next()) {
                jedis.hset(pipePrefix + "accounts:" + row.get(0), Map.of("bid", row.get(1), "abalance", row.get(2), "filler", row.get(3)));
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Every hash holds the source's abalance after the runs' UPDATEs (each added 1). */
    private void check(PostgresServer pg, Jedis jedis, int runs) throws Exception {
        try (Connection c = pg.connect("src"); Statement s = c.createStatement()) {
            long wrong = 0;
            var rs = s.executeQuery("SELECT aid, abalance FROM accounts ORDER BY aid");
            Pipeline p = jedis.pipelined();
            List<redis.clients.jedis.Response<String>> answers = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            while (rs.next()) {
                answers.add(p.hget(prefix + "accounts:" + rs.getInt(1), "abalance"));
                expected.add(rs.getString(2));
                if (answers.size() == 20_000) {
                    p.sync();
                    wrong += mismatches(answers, expected);
                }
            }
            p.sync();
            wrong += mismatches(answers, expected);
            say("check: %,d of %,d hashes differ from the source's abalance (%d UPDATEs applied)", wrong, rows, runs);
            if (wrong > 0) {
                throw new IllegalStateException(wrong + " hashes differ");
            }
        }
    }

    private static long mismatches(List<redis.clients.jedis.Response<String>> answers, List<String> expected) {
        long wrong = 0;
        for (int i = 0; i < answers.size(); i++) {
            if (!expected.get(i).equals(answers.get(i).get())) {
                wrong++;
            }
        }
        answers.clear();
        expected.clear();
        return wrong;
    }

    /** From this client, a SCAN step at a time (a script would hold up the other clients of a shared Redis). */
    private static void deletePrefix(Jedis jedis, String prefix) {
        ScanParams params = new ScanParams().match(prefix + "*").count(5000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> r = jedis.scan(cursor, params);
            if (!r.getResult().isEmpty()) {
                jedis.unlink(r.getResult().toArray(String[]::new));
            }
            cursor = r.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
