package io.ibex.it;

import io.ibex.spi.ConflictResolver;
import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.engine.Daemon;
import io.ibex.repository.Conflict;
import io.ibex.repository.Repository;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.verify.TableDigest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Three sources and one target: changes flow every way, nothing ping-pongs, conflicts are decided per row. */
@ExtendWith(ServersPerClass.class)
class MultiSourceTest {

    @Server("17") static PostgresServer server;
    static final AtomicInteger SEQ = new AtomicInteger();
    static final List<String> DBS = List.of("a", "b", "c", "t");

    Map<String, String> dbNames = new HashMap<>();
    Ibex ibex;
    Daemon daemon;
    Thread daemonThread;
    ConnectionSpec repoSpec;

    /** Resolver used by the custom strategy test: database "a" always wins. */
    public static class AWins implements ConflictResolver {
        @Override
        public String resolve(Conflict conflict) {
            return conflict.changedAt().containsKey("a") ? "a" : null;
        }
    }

    void setup(String strategy) throws Exception {
        int n = SEQ.incrementAndGet();
        for (String d : DBS) {
            String name = "mm" + n + d;
            dbNames.put(d, name);
            server.createDatabase(name);
            exec(d, "CREATE TABLE t (id int PRIMARY KEY, v text, n int)",
                    "INSERT INTO t SELECT g, 'start', 0 FROM generate_series(1, 200) g");
        }
        server.createDatabase("mmrepo" + n);
        repoSpec = new ConnectionSpec("localhost", server.port(), "mmrepo" + n, "postgres", null);
        ibex = new Ibex(repoSpec);
        ibex.install();
        for (String d : DBS) {
            ibex.addDatabase(d, Replication.dbParams(server, dbNames.get(d)), false);
        }
        ibex.addTables(List.of("t"), Map.of("db", "a", "relgroup", "rg"), false);
        ibex.addDbGroup("g", List.of("a:source", "b:source", "c:source", "t:target"));
        ibex.addSync("mm", Map.of("relgroup", "rg", "dbs", "g", "conflict_strategy", strategy));
    }

    void startDaemon() throws Exception {
        daemon = new Daemon(repoSpec, Files.createTempDirectory("mm").resolve("ibex.pid"));
        daemonThread = new Thread(daemon::run);
        daemonThread.start();
        assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).isTrue();
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.requestStop();
            daemonThread.join(60_000);
        }
    }

    void exec(String db, String... sql) throws SQLException {
        try (Connection c = server.connect(dbNames.get(db)); var s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    String value(String db, int id) throws SQLException {
        try (Connection c = server.connect(dbNames.get(db)); var s = c.createStatement();
             var rs = s.executeQuery("SELECT v FROM t WHERE id = " + id)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    TableDigest.Digest digest(String db) throws SQLException {
        try (Connection c = server.connect(dbNames.get(db))) {
            return TableDigest.ofAll(c, List.of("public.t")).get("public.t");
        }
    }

    void awaitAllEqual() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            List<TableDigest.Digest> d = new ArrayList<>();
            for (String db : DBS) {
                d.add(digest(db));
            }
            if (d.stream().distinct().count() == 1) {
                return;
            }
            if (System.nanoTime() > deadline) {
                assertThat(d).as("a, b, c, t").containsOnly(d.get(0));
            }
            Thread.sleep(250);
        }
    }

    /** Makes key 1 conflict: each source changes it while the daemon is not running, c last. */
    void conflictOnKeyOne() throws Exception {
        exec("a", "UPDATE t SET v = 'from a', n = 1 WHERE id = 1");
        Thread.sleep(5);
        exec("b", "UPDATE t SET v = 'from b', n = 2 WHERE id = 1");
        Thread.sleep(5);
        exec("c", "UPDATE t SET v = 'from c', n = 3 WHERE id = 1");
        exec("a", "UPDATE t SET v = 'only a' WHERE id = 2");
        exec("b", "DELETE FROM t WHERE id = 3");
        exec("c", "INSERT INTO t VALUES (1000, 'new on c', 0)");
    }

    List<Conflict> conflicts() {
        try (Repository repo = ibex.openRepository()) {
            return repo.conflictLog().conflicts("mm", 100);
        }
    }

    @Test
    void latestWinsPerRowAndEveryChangeReachesEveryDatabase() throws Exception {
        setup("latest");
        conflictOnKeyOne();
        startDaemon();
        awaitAllEqual();
        for (String db : DBS) {
            assertThat(value(db, 1)).isEqualTo("from c");
            assertThat(value(db, 2)).isEqualTo("only a");
            assertThat(value(db, 3)).isNull();
            assertThat(value(db, 1000)).isEqualTo("new on c");
        }
        assertThat(conflicts()).singleElement().satisfies(k -> {
            assertThat(k.table()).isEqualTo("public.t");
            assertThat(k.key()).isEqualTo("1");
            assertThat(k.dbs()).containsExactlyInAnyOrder("a", "b", "c");
            assertThat(k.winner()).isEqualTo("c");
        });
    }

    @Test
    void anOrderedListOfDatabasesDecides() throws Exception {
        setup("b a c");
        conflictOnKeyOne();
        startDaemon();
        awaitAllEqual();
        assertThat(value("t", 1)).isEqualTo("from b");
        assertThat(conflicts()).singleElement().extracting(Conflict::winner).isEqualTo("b");
    }

    @Test
    void aCustomResolverClassDecides() throws Exception {
        setup("custom:" + AWins.class.getName());
        conflictOnKeyOne();
        startDaemon();
        awaitAllEqual();
        assertThat(value("c", 1)).isEqualTo("from a");
        assertThat(conflicts()).singleElement().extracting(Conflict::winner).isEqualTo("a");
    }

    @Test
    void skipLeavesTheKeyAsItIsEverywhereAndReportsIt() throws Exception {
        setup("skip");
        conflictOnKeyOne();
        startDaemon();
        // everything but the skipped key converges
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!"new on c".equals(value("a", 1000)) || value("t", 3) != null) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(200);
        }
        assertThat(value("a", 1)).isEqualTo("from a");
        assertThat(value("b", 1)).isEqualTo("from b");
        assertThat(value("c", 1)).isEqualTo("from c");
        assertThat(value("t", 1)).isEqualTo("start");
        assertThat(value("t", 2)).isEqualTo("only a");
        assertThat(conflicts()).singleElement().satisfies(k -> assertThat(k.winner()).isNull());
    }

    @Test
    void abortStopsTheSyncAndSaysWhy() throws Exception {
        setup("abort");
        conflictOnKeyOne();
        startDaemon();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (ibex.syncs().get(0).active()) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(200);
        }
        assertThat(ibex.lastRun("mm")).get().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo("bad");
            assertThat(r.error()).contains("abort").contains("public.t").contains("1");
        });
        assertThat(value("t", 2)).isEqualTo("start"); // nothing half-applied
    }

    /** Three sources updating and deleting the same keys at once converge to one state everywhere. */
    @Test
    void concurrentConflictingWritesConverge() throws Exception {
        setup("latest");
        startDaemon();
        AtomicInteger ids = new AtomicInteger(10_000);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        List<Future<?>> fs = new ArrayList<>();
        for (String db : List.of("a", "b", "c")) {
            fs.add(pool.submit(() -> {
                Random rnd = new Random(db.hashCode());
                try (Connection c = server.connect(dbNames.get(db)); var s = c.createStatement()) {
                    while (System.nanoTime() < end) {
                        int k = 1 + rnd.nextInt(60);
                        try {
                            switch (rnd.nextInt(4)) {
                                case 0 -> s.execute("UPDATE t SET v = '" + db + "', n = n + 1 WHERE id = " + k);
                                case 1 -> s.execute("DELETE FROM t WHERE id = " + k);
                                case 2 -> s.execute("INSERT INTO t VALUES (" + ids.incrementAndGet() + ", '" + db + "', 0)");
                                default -> s.execute("UPDATE t SET v = v || '.' WHERE id = " + (100 + rnd.nextInt(100)));
                            }
                        } catch (SQLException e) {
                            // a key another session holds: part of the test
                        }
                        Thread.sleep(rnd.nextInt(5));
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        awaitAllEqual();
    }
}
