package io.ibex.bench;

import io.ibex.api.Ibex;
import io.ibex.engine.Daemon;
import io.ibex.verify.TableDigest;
import io.ibex.workload.Pgbench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the benchmark's sections share: the two servers, the ibex repository and the daemon running in this JVM,
 * the figures and what the report says besides them, and the waits and checks every section does.
 */
final class BenchRig {

    static final String DB = "ibex_bench";
    static final String BIG = "ibex_bench_big";
    /** A copy of the main database that no sync captures: the no-capture runs alternate with the captured ones. */
    static final String PLAIN = "ibex_bench_plain";
    static final String REPO = "ibex_bench_repo";
    static final String RESTORE = "ibex_bench_restore";
    static final String SYNC = "bench";
    static final String BIG_SYNC = "benchbig";
    static final String HEARTBEAT = "ibex_bench_heartbeat";
    static final String SINK = "ibex_bench_copy_sink";
    static final List<String> SYNC_TABLES = List.of("public.pgbench_accounts", "public.pgbench_branches",
            "public.pgbench_tellers", "public." + HEARTBEAT);

    final Options o;
    final PrintStream out;
    final Results results = new Results();
    final Figures figures;
    final long started = System.nanoTime();
    final Map<String, String> diagnostics = new LinkedHashMap<>();
    final List<String> setupLines = new ArrayList<>();
    final Map<String, String> sectionLoad = new LinkedHashMap<>();
    /** CPU microseconds per transaction by part, per run, keyed by what was run ("no capture", "capture on"). */
    final Map<String, Map<String, List<Double>>> cpuSplits = new LinkedHashMap<>();
    String stamp;
    BenchServer source;
    BenchServer target;
    Ibex ibex;
    Connection repo;
    HeapSampler heap;
    Path daemonLog;
    String pgVersion = "?";
    long accounts;
    boolean bigReady;
    /** The native logical replication of section 1 while it runs. */
    NativeReplication nativeReplication;
    private Daemon daemon;
    private Thread daemonThread;
    private boolean replicating;

    BenchRig(Options o, PrintStream out) {
        this.o = o;
        this.out = out;
        this.figures = new Figures(o, results);
    }

    static Map<String, String> dbParams(BenchServer s, String db) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("dbname", db);
        p.put("dbhost", s.host());
        p.put("dbport", String.valueOf(s.port()));
        p.put("dbuser", s.user());
        if (s.password() != null) {
            p.put("dbpass", s.password());
        }
        return p;
    }

    /** Creates the sync (onetimecopy=1), starts the daemon and waits for the initial copy. */
    void ensureReplicating() throws Exception {
        if (replicating) {
            return;
        }
        double t = step("adding sync " + SYNC + " (onetimecopy=1), starting the daemon, initial copy", () -> {
            long since = System.nanoTime();
            ibex.addSync(SYNC, Map.of("relgroup", SYNC, "db", "src,dst", "onetimecopy", "1"));
            startDaemon();
            awaitCopied(SYNC, since);
            return null;
        });
        setupLines.add(String.format(Locale.ROOT, "Sync %s: tables %s from src to dst; initial onetimecopy with the daemon's start took %.1f s.",
                SYNC, String.join(", ", SYNC_TABLES), t));
        replicating = true;
        verify(SYNC_TABLES, DB, "after the initial copy");
    }

    private void startDaemon() {
        if (daemon != null) {
            ibex.reload();
            return;
        }
        daemon = new Daemon(ibex.repositorySpec(), o.out.resolve("ibex-bench-" + stamp + ".pid"));
        if (o.metrics) { // the daemon as 'ibex daemon' wires it, and a scraper at work
            int port = freePort();
            ibex.set("http_listen", "127.0.0.1:" + port);
            daemon.metrics(java.util.ServiceLoader.load(io.ibex.spi.MetricsSink.class).findFirst().orElseThrow(), "bench");
            scraper = new MetricsScraper(port);
        }
        daemonThread = new Thread(daemon::run, "ibex-daemon");
        daemonThread.start();
    }

    private MetricsScraper scraper;

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    void stopDaemon() {
        if (scraper != null) {
            System.out.println("metrics: " + scraper.scrapes() + " scrapes of /metrics and /status.json");
            scraper.close();
            scraper = null;
        }
        if (daemon != null) {
            daemon.requestStop();
            try {
                daemonThread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            daemon = null;
        }
    }

    /**
     * Before each measurement: the acknowledged change rows purged, every benchmark database vacuumed and
     * analyzed, and a checkpoint on both servers, so runs start from the same state.
     */
    void prepare() throws Exception {
        if (replicating) {
            ibex.purge();
        }
        List<String[]> dbs = new ArrayList<>();
        dbs.add(new String[] {"s", DB});
        dbs.add(new String[] {"s", PLAIN});
        dbs.add(new String[] {"t", DB});
        if (nativeReplication != null) {
            dbs.add(new String[] {"s", NativeReplication.DB});
            dbs.add(new String[] {"t", NativeReplication.DB});
        }
        if (bigReady) {
            dbs.add(new String[] {"s", BIG});
            dbs.add(new String[] {"t", BIG});
        }
        for (String[] d : dbs) {
            try (Connection c = (d[0].equals("s") ? source : target).connect(d[1])) {
                exec(c, "VACUUM ANALYZE");
            }
        }
        try (Connection c = source.connect("postgres")) {
            exec(c, "CHECKPOINT");
        }
        try (Connection c = target.connect("postgres")) {
            exec(c, "CHECKPOINT");
        }
    }

    /** Throws if a run of the sync failed since the given System.nanoTime(). */
    void checkNoFailure(String sync, long sinceNanos) throws SQLException {
        long agoMs = (System.nanoTime() - sinceNanos) / 1_000_000 + 1000;
        try (PreparedStatement ps = repo.prepareStatement("SELECT error FROM ibex.syncrun WHERE sync = ? AND outcome = 'bad'"
                + " AND ended > clock_timestamp() - ? * interval '1 millisecond' ORDER BY id DESC LIMIT 1")) {
            ps.setString(1, sync);
            ps.setLong(2, agoMs);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new IllegalStateException("sync " + sync + " failed: " + rs.getString(1));
                }
            }
        }
    }

    /**
     * Waits until the target has every transaction committed on the source so far (kicking the sync every second,
     * since an idle sync does not move its position); returns the seconds waited.
     */
    double awaitSettled(String sync, String db) throws Exception {
        long t0 = System.nanoTime();
        long xmax;
        try (Connection s = source.connect(db)) {
            xmax = queryLong(s, "SELECT txid_snapshot_xmax(txid_current_snapshot())");
        }
        long deadline = t0 + TimeUnit.MINUTES.toNanos(60);
        long lastKick = 0;
        try (PreparedStatement ps = repo.prepareStatement(
                "SELECT bool_and(txid_snapshot_xmin(snapshot::txid_snapshot) >= ?) FROM ibex.position WHERE sync = ?")) {
            ps.setLong(1, xmax);
            ps.setString(2, sync);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return (System.nanoTime() - t0) / 1e9;
                    }
                }
                if (System.nanoTime() - lastKick > TimeUnit.SECONDS.toNanos(1)) {
                    checkNoFailure(sync, t0);
                    ibex.kick(sync);
                    lastKick = System.nanoTime();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("sync " + sync + " did not catch up within 60 minutes");
                }
                Thread.sleep(20);
            }
        }
    }

    void awaitCopied(String sync, long sinceNanos) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(120);
        long lastCheck = System.nanoTime();
        try (PreparedStatement ps = repo.prepareStatement("SELECT bool_and(copied) FROM ibex.position WHERE sync = ?")) {
            ps.setString(1, sync);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() - lastCheck > TimeUnit.SECONDS.toNanos(1)) {
                    checkNoFailure(sync, sinceNanos);
                    lastCheck = System.nanoTime();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("sync " + sync + " did not finish its onetimecopy");
                }
                Thread.sleep(10);
            }
        }
    }

    /** Row count and content hash of each table on both sides (computed in parallel); a difference is noted. */
    void verify(List<String> tables, String db, String when) throws Exception {
        CompletableFuture<Map<String, TableDigest.Digest>> src = CompletableFuture.supplyAsync(() -> digests(source, db, tables));
        Map<String, TableDigest.Digest> dst = digests(target, db, tables);
        Map<String, TableDigest.Digest> s = src.get();
        if (!s.equals(dst)) {
            String msg = "TARGET DIFFERS from the source " + when + " (" + db + "): source " + s + ", target " + dst;
            results.notes.add(msg);
            say("  " + msg);
        }
    }

    private static Map<String, TableDigest.Digest> digests(BenchServer server, String db, List<String> tables) {
        try (Connection c = server.connect(db)) {
            return TableDigest.ofAll(c, tables);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The TPC-B-like load of sections 1 and 3 on a source database: only the replicated tables written. */
    Pgbench.Load load(String db, int seconds) {
        return new Pgbench.Load(source.supplier(db), o.clients).withoutHistory().duration(Duration.ofSeconds(seconds));
    }

    interface Body {
        Object run() throws Exception;
    }

    double step(String what, Body body) throws Exception {
        say(what + " ...");
        long t = System.nanoTime();
        body.run();
        double secs = (System.nanoTime() - t) / 1e9;
        say(String.format(Locale.ROOT, "  done in %.1f s", secs));
        return secs;
    }

    void say(String line) {
        out.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - started) / 1e9, line);
        out.flush();
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
