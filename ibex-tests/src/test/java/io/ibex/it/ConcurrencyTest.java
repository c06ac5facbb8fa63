package io.ibex.it;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cases a change-capture design gets wrong: transactions that commit out of txid order, run long, update a
 * key many times, change a primary key, delete and reinsert, or roll back. The source is PostgreSQL 9.6 and the
 * target 17, so each case also crosses major versions.
 */
@ExtendWith(ServersPerClass.class)
class ConcurrencyTest {

    @Server("9.6") static PostgresServer source;
    @Server("17") static PostgresServer target;

    private static Replication setup(String ddl) throws Exception {
        Replication r = new Replication(source, target);
        r.execBoth(ddl);
        r.addDatabases();
        r.addSync("s", "public.t");
        r.startDaemon();
        return r;
    }

    @Test
    void aTransactionThatBeganEarlierAndCommitsLaterIsNotSkipped() throws Exception {
        try (Replication r = setup("CREATE TABLE t (id int PRIMARY KEY, v text)");
             Connection early = r.source(); Connection late = r.source()) {
            early.setAutoCommit(false);
            exec(early, "INSERT INTO t VALUES (1, 'began first, commits last')");
            exec(late, "INSERT INTO t VALUES (2, 'began second, commits first')");
            // the daemon delivers row 2 while the first transaction, with the lower txid, is still open
            r.awaitConverged(Duration.ofSeconds(30), "public.t");
            assertThat(r.count(false, "t")).isEqualTo(1);
            exec(late, "INSERT INTO t VALUES (3, 'later still')");
            r.awaitConverged(Duration.ofSeconds(30), "public.t");
            early.commit();
            r.awaitConverged(Duration.ofSeconds(30), "public.t");
            assertThat(r.count(false, "t")).isEqualTo(3);
        }
    }

    @Test
    void keyChangesRepeatedUpdatesDeleteReinsertAndRollbacks() throws Exception {
        try (Replication r = setup("CREATE TABLE t (id int PRIMARY KEY, v text, n int)");
             Connection c = r.source()) {
            exec(c, "INSERT INTO t SELECT g, 'row ' || g, 0 FROM generate_series(1, 100) g");
            for (int i = 0; i < 50; i++) {
                exec(c, "UPDATE t SET n = n + 1 WHERE id = 7");
            }
            exec(c, "UPDATE t SET id = id + 1000 WHERE id BETWEEN 10 AND 19");
            exec(c, "UPDATE t SET id = 2000 WHERE id = 1010; UPDATE t SET id = 1010 WHERE id = 1011");
            c.setAutoCommit(false);
            exec(c, "DELETE FROM t WHERE id = 20");
            exec(c, "INSERT INTO t VALUES (20, 'reinserted', 42)");
            c.commit();
            exec(c, "DELETE FROM t WHERE id = 21");
            exec(c, "INSERT INTO t VALUES (500, 'rolled back', 1)");
            exec(c, "UPDATE t SET v = 'rolled back' WHERE id = 22");
            c.rollback();
            exec(c, "UPDATE t SET id = -id WHERE id BETWEEN 30 AND 39");
            exec(c, "UPDATE t SET id = -id WHERE id BETWEEN -39 AND -30");
            c.commit();
            c.setAutoCommit(true);
            r.awaitConverged(Duration.ofSeconds(30), "public.t");
            try (Connection t = r.target(); var s = t.createStatement(); var rs = s.executeQuery("SELECT n FROM t WHERE id = 7")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(50);
            }
            assertThat(r.count(false, "t")).isEqualTo(r.count(true, "t")).isEqualTo(100);
        }
    }

    /** Many sessions at once: short and long transactions, key changes, deletes, reinserts, rollbacks. */
    @Test
    void concurrentMixedWorkloadConverges() throws Exception {
        try (Replication r = setup("CREATE TABLE t (id int PRIMARY KEY, v text, n int)")) {
            r.execSource("INSERT INTO t SELECT g, md5(g::text), 0 FROM generate_series(1, 2000) g");
            AtomicInteger nextId = new AtomicInteger(100_000);
            AtomicInteger committed = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(6);
            long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < 6; w++) {
                long seed = w;
                futures.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    try (Connection c = r.source()) {
                        c.setAutoCommit(false);
                        while (System.nanoTime() < end) {
                            try {
                                randomTransaction(c, rnd, nextId);
                                if (rnd.nextInt(10) == 0) {
                                    c.rollback();
                                } else {
                                    c.commit();
                                    committed.incrementAndGet();
                                }
                            } catch (SQLException e) {
                                c.rollback(); // a deadlock or a key taken by another session: part of the test
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            assertThat(committed.get()).isGreaterThan(100);
            r.awaitConverged(Duration.ofSeconds(60), "public.t");
        }
    }

    private static void randomTransaction(Connection c, Random rnd, AtomicInteger nextId) throws Exception {
        int ops = 1 + rnd.nextInt(5);
        for (int i = 0; i < ops; i++) {
            int key = 1 + rnd.nextInt(2000);
            switch (rnd.nextInt(7)) {
                case 0 -> exec(c, "INSERT INTO t VALUES (" + nextId.incrementAndGet() + ", 'new', 0)");
                case 1 -> exec(c, "UPDATE t SET n = n + 1, v = md5(random()::text) WHERE id = " + key);
                case 2 -> exec(c, "UPDATE t SET id = " + nextId.incrementAndGet() + " WHERE id = " + key);
                case 3 -> exec(c, "DELETE FROM t WHERE id = " + key);
                case 4 -> {
                    exec(c, "DELETE FROM t WHERE id = " + key);
                    exec(c, "INSERT INTO t VALUES (" + key + ", 'reinserted', 1)");
                }
                case 5 -> exec(c, "UPDATE t SET n = n + 1 WHERE id = 1"); // a hot key
                default -> Thread.sleep(rnd.nextInt(400)); // a transaction that stays open a while
            }
        }
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
