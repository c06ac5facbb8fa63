package io.ibex.it;

import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.engine.Daemon;
import io.ibex.verify.TableDigest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One replication setup for a test: a fresh source database, a fresh target database and a fresh repository on
 * servers the test class shares, plus an in-process daemon. Proves convergence by comparing row counts and
 * content hashes of every table.
 */
public final class Replication implements AutoCloseable {

    private static final AtomicInteger SEQ = new AtomicInteger();

    public final PostgresServer sourceServer;
    public final PostgresServer targetServer;
    public final String sourceDb;
    public final String targetDb;
    public final ConnectionSpec repository;
    public final Ibex ibex;
    private Daemon daemon;
    private Thread daemonThread;
    private final Path pidFile;

    public Replication(PostgresServer sourceServer, PostgresServer targetServer) throws Exception {
        this.sourceServer = sourceServer;
        this.targetServer = targetServer;
        int n = SEQ.incrementAndGet();
        this.sourceDb = "src" + n;
        this.targetDb = "dst" + n;
        sourceServer.createDatabase(sourceDb);
        targetServer.createDatabase(targetDb);
        targetServer.createDatabase("ibex" + n);
        this.repository = new ConnectionSpec("localhost", targetServer.port(), "ibex" + n, "postgres", null);
        this.ibex = new Ibex(repository);
        ibex.install();
        this.pidFile = Files.createTempDirectory("ibex-pid").resolve("ibex.pid");
    }

    public Connection source() throws SQLException {
        return sourceServer.connect(sourceDb);
    }

    public Connection target() throws SQLException {
        return targetServer.connect(targetDb);
    }

    public void execSource(String... sql) throws SQLException {
        try (Connection c = source(); var s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    public void execTarget(String... sql) throws SQLException {
        try (Connection c = target(); var s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /** Adds the two databases as "source" and "target". */
    public void addDatabases() {
        ibex.addDatabase("source", dbParams(sourceServer, sourceDb), false);
        ibex.addDatabase("target", dbParams(targetServer, targetDb), false);
    }

    public static Map<String, String> dbParams(PostgresServer server, String db) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("dbname", db);
        p.put("dbhost", "localhost");
        p.put("dbport", String.valueOf(server.port()));
        p.put("dbuser", "postgres");
        return p;
    }

    /** add table ... relgroup=rg, then add sync s relgroup=rg db=source,target. */
    public void addSync(String sync, String... tables) {
        ibex.addTables(List.of(tables), Map.of("db", "source", "relgroup", "rg_" + sync), false);
        ibex.addSync(sync, Map.of("relgroup", "rg_" + sync, "db", "source,target"));
    }

    public void startDaemon() {
        daemon = new Daemon(repository, pidFile);
        daemonThread = new Thread(daemon::run, "test-daemon");
        daemonThread.start();
        try {
            assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).as("daemon started").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void stopDaemon() throws InterruptedException {
        if (daemon != null) {
            daemon.requestStop();
            daemonThread.join(60_000);
            daemon = null;
        }
    }

    /** Waits until every table has the same row count and content hash on both sides. */
    public void awaitConverged(Duration timeout, String... tables) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, TableDigest.Digest> src = null;
        Map<String, TableDigest.Digest> dst = null;
        while (System.nanoTime() < deadline) {
            src = digests(true, tables);
            dst = digests(false, tables);
            if (src.equals(dst)) {
                return;
            }
            Thread.sleep(200);
        }
        assertThat(dst).as("target content after %s", timeout).isEqualTo(src);
    }

    public Map<String, TableDigest.Digest> digests(boolean source, String... tables) throws SQLException {
        try (Connection c = source ? source() : target()) {
            return TableDigest.ofAll(c, List.of(tables));
        }
    }

    public long count(boolean source, String table) throws SQLException {
        try (Connection c = source ? source() : target(); var s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws Exception {
        stopDaemon();
    }
}
