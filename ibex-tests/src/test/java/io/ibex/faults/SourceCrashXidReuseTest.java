package io.ibex.faults;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.Db;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.InProcessDaemon;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A source that crashes loses the WAL it had not yet written out, and with it the txids of transactions that ended
 * unflushed (asynchronous commits, such as the watcher's fences); after recovery it hands those txids out again. A
 * position saved before the crash must not count them as ended, or the first change committed under a reused txid
 * is skipped for good. The source here writes its WAL out only every 10 s, so the crash right after a saved position
 * reliably loses the tail.
 */
@ExtendWith(ServersPerClass.class)
class SourceCrashXidReuseTest {

    @Server(value = "17", settings = "wal_writer_delay=10000ms") static PostgresServer sourceServer;
    @Server("17") static PostgresServer otherServer;
    static final List<String> TABLES = List.of("public.items");

    @Test
    void aChangeUnderAReusedTxidAfterASourceCrashIsReplicated() throws Exception {
        Db src = Db.create("source", sourceServer, "xidsrc");
        Db dst = Db.create("target", otherServer, "xiddst");
        Db repo = Db.create("repository", otherServer, "xidrepo");
        src.exec("CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL)", "INSERT INTO items SELECT g, 0 FROM generate_series(1, 10) g");
        dst.exec("CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL)");
        Ibex ibex = IbexSetup.install(repo, src, dst);
        ibex.addTables(List.of("items"), Map.of("db", "src", "relgroup", "items"), false);
        ibex.addSync("items", Map.of("relgroup", "items", "db", "src,dst", "onetimecopy", "1"));
        InProcessDaemon daemon = new InProcessDaemon(repo.spec());
        try {
            Convergence.awaitAllEqual(Duration.ofSeconds(60), TABLES, List.of(src, dst));
            // txids that end with commit records still in the source's WAL buffers
            long lastAsync = 0;
            for (int i = 0; i < 5; i++) {
                try (Connection c = src.connect()) {
                    c.createStatement().execute("SET synchronous_commit = off");
                    lastAsync = queryTxid(c);
                }
            }
            long seen = lastAsync;
            ibex.kick("items");
            Waits.await(Duration.ofSeconds(30), "a position past the asynchronous txids", Waits.quietly(() ->
                    repo.queryLong("SELECT txid_snapshot_xmax(snapshot::txid_snapshot) FROM ibex.position") > seen));
            sourceServer.stopImmediately();
            sourceServer.start();
            long txid;
            try (Connection c = src.connect()) {
                c.setAutoCommit(false);
                c.createStatement().executeUpdate("UPDATE items SET v = 42 WHERE id = 7");
                txid = queryTxid(c);
                c.commit();
            }
            System.out.printf("faults: last asynchronous txid %d before the crash, the change after it has txid %d%n", seen, txid);
            Convergence.awaitAllEqual(Duration.ofSeconds(60), TABLES, List.of(src, dst), repo);
            assertThat(dst.queryLong("SELECT v FROM items WHERE id = 7")).isEqualTo(42);
            assertThat(daemon.alive()).as("the daemon survived (%s)", daemon.died()).isTrue();
        } finally {
            sourceServer.start();
            daemon.close();
        }
    }

    private static long queryTxid(Connection c) throws Exception {
        try (var rs = c.createStatement().executeQuery("SELECT txid_current()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
