package io.ibex.testkit;

import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.verify.TableDigest;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One replication setup for a test: a fresh source database, a fresh target database and a fresh repository (on
 * the target's server) on servers the test class shares, plus an in-process daemon. Proves convergence by
 * comparing row counts and content hashes of every table.
 */
public final class Replication implements AutoCloseable {

    private static final AtomicInteger SEQ = new AtomicInteger();

    public final PostgresServer sourceServer;
    public final PostgresServer targetServer;
    public final String sourceDb;
    public final String targetDb;
    public final ConnectionSpec repository;
    public final Ibex ibex;
    private final Db source;
    private final Db target;
    private final Db repositoryDb;
    private InProcessDaemon daemon;

    public Replication(PostgresServer sourceServer, PostgresServer targetServer) throws Exception {
        this.sourceServer = sourceServer;
        this.targetServer = targetServer;
        int n = SEQ.incrementAndGet();
        this.source = Db.create("source", sourceServer, "src" + n);
        this.target = Db.create("target", targetServer, "dst" + n);
        this.repositoryDb = Db.create("repository", targetServer, "ibex" + n);
        this.sourceDb = source.name();
        this.targetDb = target.name();
        this.repository = repositoryDb.spec();
        this.ibex = new Ibex(repository);
        ibex.install();
    }

    public Connection source() throws SQLException {
        return source.connect();
    }

    public Connection target() throws SQLException {
        return target.connect();
    }

    public void execSource(String... sql) throws SQLException {
        source.exec(sql);
    }

    public void execTarget(String... sql) throws SQLException {
        target.exec(sql);
    }

    /** Runs the same statements on the source and the target (a table both sides need, say). */
    public void execBoth(String... sql) throws SQLException {
        execSource(sql);
        execTarget(sql);
    }

    /** Adds the two databases as "source" and "target". */
    public void addDatabases() {
        ibex.addDatabase("source", source.params(), false);
        ibex.addDatabase("target", target.params(), false);
    }

    public static Map<String, String> dbParams(PostgresServer server, String db) {
        return Db.params(server, db);
    }

    /** add table ... relgroup=rg, then add sync s relgroup=rg db=source,target. */
    public void addSync(String sync, String... tables) {
        ibex.addTables(List.of(tables), Map.of("db", "source", "relgroup", "rg_" + sync), false);
        ibex.addSync(sync, Map.of("relgroup", "rg_" + sync, "db", "source,target"));
    }

    public void startDaemon() {
        try {
            daemon = new InProcessDaemon(repository);
            assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).as("daemon started").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public void stopDaemon() throws InterruptedException {
        if (daemon != null) {
            InProcessDaemon stopping = daemon;
            daemon = null;
            stopping.close();
        }
    }

    /** Waits until every table has the same row count and content hash on both sides. */
    public void awaitConverged(Duration timeout, String... tables) throws Exception {
        Convergence.awaitAllEqual(timeout, List.of(tables), List.of(source, target), repositoryDb);
    }

    public Map<String, TableDigest.Digest> digests(boolean source, String... tables) throws SQLException {
        return (source ? this.source : target).digests(List.of(tables));
    }

    public long count(boolean source, String table) throws SQLException {
        return (source ? this.source : target).queryLong("SELECT count(*) FROM " + table);
    }

    @Override
    public void close() throws Exception {
        stopDaemon();
    }
}
