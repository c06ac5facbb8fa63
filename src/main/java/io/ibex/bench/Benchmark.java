package io.ibex.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import io.ibex.api.Ibex;
import io.ibex.bench.Results.Figure;
import io.ibex.db.ConnectionSpec;
import io.ibex.engine.Daemon;
import io.ibex.verify.TableDigest;
import io.ibex.workload.Pgbench;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The replication benchmark: capture overhead, catch-up against the raw COPY pipe, lag under a steady rate,
 * initial copy against dump and restore, catch-up cost against table size, and the daemon's heap, each measured
 * several times on two PostgreSQL servers, with the daemon running in this JVM. See BENCHMARKS.md.
 */
public final class Benchmark {

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

    private final Options o;
    private final PrintStream out;
    private final Results results = new Results();
    private final long started = System.nanoTime();
    private final Map<String, String> diagnostics = new LinkedHashMap<>();
    private final List<String> setupLines = new ArrayList<>();
    private final Map<String, String> sectionLoad = new LinkedHashMap<>();
    private String stamp;
    private BenchServer source;
    private BenchServer target;
    private Ibex ibex;
    private Connection repo;
    private Daemon daemon;
    private Thread daemonThread;
    private boolean replicating;
    private boolean bigReady;
    private HeapSampler heap;
    private Path daemonLog;
    private String pgVersion = "?";
    private long accounts;

    // the figures, in the order of the table
    private final Figure tpsOff;
    private final Figure tpsOn;
    private final Figure tpsPairs;
    private final Figure tpsNative;
    private final Figure nativePairs;
    private final Figure cpuNative;
    private final Figure cpuOff;
    private final Figure cpuOn;
    private final Figure tpsPaused;
    private final Figure loopOff;
    private final Figure loopOn;
    private final Figure pgbenchOff;
    private final Figure pgbenchOn;
    private final Figure updOff;
    private final Figure updOn;
    private final Figure raw1m;
    private final Figure catch1mTime;
    private final Figure catch1mRate;
    private final Figure raw100k;
    private final Figure catch100kTime;
    private final Figure catch100kRate;
    private final Figure heap1m;
    private final Figure heapLive1m;
    private final Figure lagTps;
    private final Figure lagP50;
    private final Figure lagP95;
    private final Figure lagP99;
    private final Figure lagMax;
    private final Figure maxTps;
    private final Figure maxP50;
    private final Figure maxP95;
    private final Figure maxP99;
    private final Figure maxMax;
    private final Figure copyIbex;
    private final Figure copyBase;
    private final Figure copyBaseAnalyzed;
    private final Figure scaleSmall;
    private final Figure scaleBig;
    private final Figure bigCopy;
    private final Figure heapAny;
    private String baselineName = "pg_dump -Fc | pg_restore of the same tables";

    Benchmark(Options o, PrintStream out) {
        this.o = o;
        this.out = out;
        String m = o.scale == 10 ? "1M" : String.format(Locale.ROOT, "%,d", 100_000L * o.scale);
        String big = o.bigScale == 100 ? "10M" : String.format(Locale.ROOT, "%,d", 100_000L * o.bigScale);
        tpsOff = results.figure("1", "TPC-B-like tps, " + o.clients + " clients, " + o.seconds + " s, only replicated tables written, no capture", "tps").decimals(0)
                .reference("~2,850");
        tpsOn = results.figure("1", "TPC-B-like tps, capture on (sync + daemon applying)", "tps").decimals(0)
                .reference("Bucardo 0.54×, native 0.91×");
        tpsPairs = results.figure("1", "the same, run by run: capture on / the no-capture run just before it", "×").decimals(2);
        tpsNative = results.figure("1", "reference: tps with PostgreSQL's native logical replication instead (publication and"
                + " subscription of the same tables between the same servers), in the same rounds", "tps").decimals(0).reference("native 0.91×");
        nativePairs = results.figure("1", "the same, run by run: native / the no-capture run of its round", "×").decimals(2);
        cpuOff = results.figure("1", "diagnosis: the machine's CPU time per transaction (both servers, the load, the daemon; "
                + "time stolen by the hypervisor left out), no capture", "µs").decimals(0);
        cpuOn = results.figure("1", "diagnosis: the same, capture on", "µs").decimals(0);
        cpuNative = results.figure("1", "diagnosis: the same, native logical replication", "µs").decimals(0);
        tpsPaused = results.figure("1", "diagnosis: tps with the triggers, sync paused (no apply running)", "tps").decimals(0);
        loopOff = results.figure("1", "diagnosis: one-row UPDATE and commit in a server-side loop (no client, no WAL flush), no capture",
                "µs").decimals(1);
        loopOn = results.figure("1", "diagnosis: the same, with the capture triggers (sync paused)", "µs").decimals(1);
        pgbenchOff = results.figure("1", "diagnosis: tps with PostgreSQL's pgbench (C client) as the load, no capture", "tps").decimals(0);
        pgbenchOn = results.figure("1", "diagnosis: tps with pgbench as the load, capture on", "tps").decimals(0);
        updOff = results.figure("1", "UPDATE of all " + m + " accounts rows, no capture", "s").decimals(2).reference("~4 s");
        updOn = results.figure("1", "UPDATE of all " + m + " accounts rows, capture on", "s").decimals(2).reference("Bucardo 2.5×");
        raw1m = results.figure("2", "raw COPY pipe, " + m + " rows, indexed target", "rows/s").decimals(0).reference("~380,000 rows/s");
        catch1mTime = results.figure("2", "catch-up after the " + m + "-row UPDATE", "s").decimals(2).reference("Bucardo ~77 s, native ~14 s");
        catch1mRate = results.figure("2", "catch-up rate, " + m + " rows", "rows/s").decimals(0)
                .reference("Bucardo ~13,000, native ~70,000 rows/s");
        raw100k = results.figure("2", "raw COPY pipe, 100k rows, indexed target", "rows/s").decimals(0);
        catch100kTime = results.figure("2", "catch-up after a 100k-row UPDATE", "s").decimals(2).reference("Bucardo ~5.2 s, native ~1.7 s");
        catch100kRate = results.figure("2", "catch-up rate, 100k rows", "rows/s").decimals(0);
        heap1m = results.figure("6", "daemon JVM peak heap used during the " + m + "-row catch-up (sampled every 100 ms)", "MB").decimals(0);
        heapLive1m = results.figure("6", "heap left after GC, highest, during the " + m + "-row catch-up", "MB").decimals(0);
        lagTps = results.figure("3", "steady rate: achieved source tps (target " + (int) o.lagRate + ")", "tps").decimals(0);
        lagP50 = results.figure("3", "lag p50 at " + (int) o.lagRate + " tps, heartbeat every " + o.heartbeatMs + " ms", "ms").decimals(0)
                .reference("Bucardo 400 ms");
        lagP95 = results.figure("3", "lag p95 at " + (int) o.lagRate + " tps", "ms").decimals(0).reference("Bucardo 600 ms");
        lagP99 = results.figure("3", "lag p99 at " + (int) o.lagRate + " tps", "ms").decimals(0);
        lagMax = results.figure("3", "lag max at " + (int) o.lagRate + " tps", "ms").decimals(0);
        maxTps = results.figure("3", "highest rate: achieved source tps, capture on, " + o.clients + " clients", "tps").decimals(0);
        maxP50 = results.figure("3", "lag p50 at the highest rate", "ms").decimals(0);
        maxP95 = results.figure("3", "lag p95 at the highest rate", "ms").decimals(0);
        maxP99 = results.figure("3", "lag p99 at the highest rate", "ms").decimals(0);
        maxMax = results.figure("3", "lag max at the highest rate", "ms").decimals(0);
        copyIbex = results.figure("4", "onetimecopy of the " + m + "-row database (4 tables)", "s").decimals(2);
        copyBase = results.figure("4", "baseline: " + baselineName, "s").decimals(2).reference("pg_dump | pg_restore ~1.9 s");
        copyBaseAnalyzed = results.figure("4", "the baseline, then ANALYZE of the restored tables (onetimecopy's end state:"
                + " analyze_after_copy)", "s").decimals(2);
        scaleSmall = results.figure("5", "catch-up of 100k changed rows, " + m + "-row table", "s").decimals(2);
        scaleBig = results.figure("5", "catch-up of 100k changed rows, " + big + "-row table", "s").decimals(2);
        bigCopy = results.figure("5", "onetimecopy of the " + big + "-row table (setup, once)", "s").decimals(1);
        heapAny = results.figure("6", "daemon JVM peak heap used, any catch-up (every catch-up above)", "MB").decimals(0);
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ibex-bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (o.help) {
            System.out.print(Options.USAGE);
            return;
        }
        int code;
        try {
            code = new Benchmark(o, System.out).run();
        } catch (Exception e) {
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    int run() throws Exception {
        Files.createDirectories(o.out);
        stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss"));
        daemonLog = o.out.resolve("daemon-" + stamp + ".log");
        logTo(daemonLog);
        jdk.jfr.Recording jfr = null;
        if (o.jfr) {
            jfr = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
            jfr.setDestination(o.out.resolve("bench-" + stamp + ".jfr"));
            jfr.start();
        }
        heap = new HeapSampler();
        say("ibex benchmark: " + Machine.describe().replace("\n", "; "));
        double busy = Machine.busyShare(3000);
        String idle = String.format(Locale.ROOT, "Before the start the machine was %.0f%% busy (over 3 s, /proc/stat), load average %s.",
                100 * busy, Machine.loadAverage());
        say(idle);
        setupLines.add(idle);
        if (busy > 0.10) {
            results.notes.add(String.format(Locale.ROOT, "WARNING: the machine was %.0f%% busy before the benchmark started: other"
                    + " work competed for the CPUs, so these figures are not comparable with a run on an idle machine.", 100 * busy));
        }
        say("daemon log: " + daemonLog);
        boolean failed = false;
        try {
            startServers();
            setup();
            for (String section : Options.SECTIONS) {
                if (!o.runs(section)) {
                    continue;
                }
                say("section " + section + " (load average " + Machine.loadAverage() + ")");
                sectionLoad.put(section, Machine.loadAverage());
                try {
                    switch (section) {
                        case "overhead" -> overhead();
                        case "catchup" -> catchup();
                        case "lag" -> lag();
                        case "copy" -> copy();
                        case "scale" -> scale();
                        default -> throw new IllegalStateException(section);
                    }
                } catch (Exception e) {
                    failed = true;
                    results.notes.add("Section " + section + " failed: " + e);
                    say("SECTION " + section + " FAILED: " + e);
                    e.printStackTrace(out);
                }
            }
        } finally {
            stopDaemon();
            if (repo != null) {
                repo.close();
            }
            if (source != null) {
                source.close();
            }
            if (target != null) {
                target.close();
            }
            heap.close();
            if (jfr != null) {
                jfr.stop();
                jfr.close();
                results.notes.add("JFR recording: " + o.out.resolve("bench-" + stamp + ".jfr"));
            }
        }
        summarize();
        String report = report();
        Path file = o.out.resolve("results-" + stamp + ".md");
        Files.writeString(file, report);
        out.println();
        out.println(report);
        out.println("Written to " + file);
        return failed ? 1 : 0;
    }

    // ------------------------------------------------------------------ setup

    private Map<String, String> serverSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("shared_buffers", "256MB");
        s.put("max_wal_size", "4GB");
        s.put("checkpoint_timeout", "30min");
        s.put("synchronous_commit", "on");
        s.put("fsync", "on");
        s.put("maintenance_work_mem", "256MB");
        s.put("wal_level", "logical"); // for the native logical replication of section 1 (ibex does not need it)
        s.putAll(o.settings);
        return s;
    }

    private void startServers() throws Exception {
        if (o.source != null) {
            source = BenchServer.external("source", o.source, o.user, o.password);
            target = BenchServer.external("target", o.target, o.user, o.password);
            setupLines.add("Servers: given (" + o.source + ", " + o.target + "), settings as configured there.");
        } else if (o.pgBin != null) {
            Map<String, String> settings = serverSettings();
            step("starting two PostgreSQL servers from " + o.pgBin, () -> {
                source = BenchServer.local("source", o.pgBin, settings);
                target = BenchServer.local("target", o.pgBin, settings);
                return null;
            });
            setupLines.add("Servers: two PostgreSQL servers started from the local installation " + o.pgBin + " (--pg-bin: its initdb"
                    + " and pg_ctl, io.ibex.bench.LocalServer) on this machine, settings " + settings
                    + " (plus the embedded defaults: timezone UTC, max_connections 100, autovacuum on).");
        } else {
            Map<String, String> settings = serverSettings();
            step("starting two embedded PostgreSQL " + o.pgVersion + " servers", () -> {
                source = BenchServer.start("source", o.pgVersion, settings);
                target = BenchServer.start("target", o.pgVersion, settings);
                return null;
            });
            setupLines.add("Servers: two embedded PostgreSQL " + o.pgVersion + " servers (io.ibex.embedded.PostgresServer) on this machine, "
                    + "settings " + settings + " (plus the embedded defaults: timezone UTC, max_connections 100, autovacuum on).");
        }
        pgVersion = source.query("postgres", "SHOW server_version");
        say(source.describe() + "; " + target.describe() + "; PostgreSQL " + pgVersion);
    }

    private void setup() throws Exception {
        accounts = 100_000L * o.scale;
        source.recreateDatabase(DB);
        target.recreateDatabase(DB);
        target.recreateDatabase(REPO);
        double load = step(String.format(Locale.ROOT, "loading pgbench scale %d (%,d accounts) on the source", o.scale, accounts), () -> {
            try (Connection s = source.connect(DB)) {
                Pgbench.initialize(s, o.scale);
                exec(s, "CREATE TABLE " + HEARTBEAT + " (id int PRIMARY KEY, beat timestamptz NOT NULL)");
                exec(s, "INSERT INTO " + HEARTBEAT + " VALUES (1, clock_timestamp())");
                exec(s, "VACUUM ANALYZE");
            }
            return null;
        });
        setupLines.add(String.format(Locale.ROOT, "Load: pgbench scale %d (%,d accounts) generated and COPYed on the source in %.1f s;"
                + " copied (CREATE DATABASE ... TEMPLATE) to %s, which no sync captures, for the no-capture runs.", o.scale, accounts, load, PLAIN));
        source.recreateDatabase(PLAIN, DB);
        try (Connection t = target.connect(DB)) {
            Pgbench.createSchemaOnly(t);
            exec(t, "CREATE TABLE " + HEARTBEAT + " (id int PRIMARY KEY, beat timestamptz NOT NULL)");
            exec(t, "CREATE TABLE " + SINK + " (LIKE pgbench_accounts INCLUDING ALL)");
        }
        ibex = new Ibex(new ConnectionSpec(target.host(), target.port(), REPO, target.user(), target.password()));
        ibex.install();
        o.ibexSettings.forEach(ibex::set);
        ibex.addDatabase("src", dbParams(source, DB), false);
        ibex.addDatabase("dst", dbParams(target, DB), false);
        ibex.addTables(SYNC_TABLES, Map.of("db", "src", "relgroup", SYNC), false);
        repo = target.connect(REPO);
    }

    private static Map<String, String> dbParams(BenchServer s, String db) {
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
    private void ensureReplicating() throws Exception {
        if (replicating) {
            return;
        }
        double t = step("adding sync " + SYNC + " (onetimecopy=1), starting the daemon, initial copy", () -> {
            long since = now();
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
        daemonThread = new Thread(daemon::run, "ibex-daemon");
        daemonThread.start();
    }

    private void stopDaemon() {
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
    private void prepare() throws Exception {
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

    // ------------------------------------------------------------------ 1. capture overhead

    /**
     * The no-capture and the capture-on runs alternate (no capture on the copy {@link #PLAIN}, capture on the
     * synced database, same server, same data), so that a machine whose speed drifts during the run weighs on
     * both sides alike.
     */
    private void overhead() throws Exception {
        ensureReplicating();
        nativeReplication = startNative();
        try {
            warmUp();
            for (int r = 1; r <= o.runs; r++) {
                prepare();
                double off = tps(r, PLAIN, "no capture", cpuOff);
                tpsOff.add(off);
                prepare();
                double on = tps(r, DB, "capture on", cpuOn);
                tpsOn.add(on);
                tpsPairs.add(on / off);
                awaitSettled(SYNC, DB);
                if (nativeReplication != null) {
                    prepare();
                    nativeReplication.resume();
                    double nat = tps(r, NativeReplication.DB, "native logical replication", cpuNative);
                    tpsNative.add(nat);
                    nativePairs.add(nat / off);
                    double c = nativeReplication.awaitCaughtUp(Duration.ofMinutes(10));
                    say(String.format(Locale.ROOT, "    (native logical replication caught up %.1f s later)", c));
                    nativeReplication.pause();
                }
            }
        } finally {
            if (nativeReplication != null) {
                nativeReplication.close();
                nativeReplication = null;
            }
        }
        for (int r = 1; r <= o.runs; r++) {
            prepare();
            updOff.add(timeFullUpdate(r, PLAIN, "no capture"));
            prepare();
            updOn.add(timeFullUpdate(r, DB, "capture on"));
            double c = awaitSettled(SYNC, DB);
            say(String.format(Locale.ROOT, "    (target caught up %.1f s later)", c));
        }
        if (o.diagnose) {
            overheadDiagnosis();
        }
    }

    /** The reference beside ibex in section 1, or null (with a note saying why) where it cannot run. */
    private NativeReplication startNative() throws Exception {
        if (!o.nativeReference) {
            return null;
        }
        String why = NativeReplication.unavailable(source);
        if (why == null) {
            try {
                NativeReplication[] started = new NativeReplication[1];
                double t = step("setting up native logical replication of " + String.join(", ", NativeReplication.TABLES) + " (the reference)",
                        () -> started[0] = NativeReplication.start(source, target, PLAIN, Duration.ofMinutes(5)));
                setupLines.add(String.format(Locale.ROOT, "Native logical replication (section 1's reference): database %s, a copy of %s,"
                        + " publication and subscription %s of %s; its initial copy took %.1f s.", NativeReplication.DB, PLAIN,
                        NativeReplication.NAME, String.join(", ", NativeReplication.TABLES), t));
                return started[0];
            } catch (Exception e) {
                why = "it could not be set up: " + e.getMessage();
            }
        }
        results.notes.add("Native logical replication was not measured beside ibex: " + why + ".");
        return null;
    }

    /** The native logical replication of section 1 while it runs. */
    private NativeReplication nativeReplication;

    /**
     * Where the capture overhead comes from, for whoever optimises it (not goals): the tps with the triggers but
     * the sync paused (no apply competing for the machine); the tps ratio with PostgreSQL's pgbench as the load
     * instead of the Java one (where pgbench is installed); and what the source's sessions wait for with capture on.
     */
    private void overheadDiagnosis() throws Exception {
        ibex.pause(List.of(SYNC));
        try {
            for (int r = 1; r <= o.runs; r++) {
                prepare();
                tpsPaused.add(tps(r, DB, "triggers only, sync paused"));
            }
            updateLoops();
        } finally {
            ibex.resume(List.of(SYNC));
        }
        awaitSettled(SYNC, DB);
        Optional<PgbenchBinary> pgbench = PgbenchBinary.find(o.pgBin);
        if (pgbench.isEmpty()) {
            results.notes.add("No pgbench was found (the embedded binaries have none), so the tps with a C client was not measured.");
        } else {
            results.notes.add("The pgbench rows: " + pgbench.get().describe() + ", " + o.clients + " clients, " + o.seconds
                    + " s, no capture and capture on alternating as above: the same load from a client in its own process instead"
                    + " of the Java one, which runs in the benchmark's JVM beside the daemon.");
            for (int r = 1; r <= o.runs; r++) {
                prepare();
                pgbenchOff.add(pgbenchTps(pgbench.get(), r, PLAIN, "no capture"));
                prepare();
                pgbenchOn.add(pgbenchTps(pgbench.get(), r, DB, "capture on"));
                awaitSettled(SYNC, DB);
            }
        }
        prepare();
        say("  diagnosing: TPC-B-like load with capture on (an extra, untimed run of " + o.seconds + " s)");
        try (Connection s = source.connect("postgres"); Connection t = target.connect("postgres")) {
            Map<String, Connection> servers = new LinkedHashMap<>();
            servers.put("source", s);
            servers.put("target", t);
            try (ActivitySampler sampler = new ActivitySampler(servers, true)) {
                sampler.start();
                double tps = tps(0, DB, "capture on, sampled");
                sampler.stop();
                diagnostics.put(String.format(Locale.ROOT, "TPC-B-like load, %d clients, capture on: %,.0f tps", o.clients, tps),
                        sampler.report());
            }
        }
        awaitSettled(SYNC, DB);
    }

    /** One-row UPDATEs in each server-side loop. */
    static final int LOOP_UPDATES = 20_000;

    /**
     * The triggers' own cost per statement (see UpdateLoop), no capture and capture on alternating, while the sync
     * is paused; the rows the loops change are applied when it resumes.
     */
    private void updateLoops() throws Exception {
        int n = LOOP_UPDATES;
        try (Connection plain = source.connect(PLAIN); Connection captured = source.connect(DB)) {
            if (!UpdateLoop.supported(plain)) {
                results.notes.add("The server-side update loop needs PostgreSQL " + UpdateLoop.SINCE_MAJOR + " or later: not measured.");
                return;
            }
            UpdateLoop.install(plain);
            UpdateLoop.install(captured);
            for (int r = 1; r <= o.runs; r++) {
                double off = UpdateLoop.microsEach(plain, n);
                double on = UpdateLoop.microsEach(captured, n);
                loopOff.add(off);
                loopOn.add(on);
                say(String.format(Locale.ROOT, "  run %d: server-side loop of %,d one-row UPDATEs: %.1f µs each without capture, %.1f with the triggers",
                        r, n, off, on));
            }
        }
    }

    /** CPU microseconds per transaction by part, per run, keyed by what was run ("no capture", "capture on"). */
    private final Map<String, Map<String, List<Double>>> cpuSplits = new LinkedHashMap<>();

    private void splitCpu(Pgbench.Load load, String what) throws Exception {
        Thread.sleep(1000);
        try (Connection s = source.connect("postgres"); Connection t = target.connect("postgres")) {
            CpuSplit split = CpuSplit.start(Map.of("source", s, "target", t));
            if (split == null) {
                return; // servers elsewhere
            }
            long tx0 = load.transactions();
            Thread.sleep((o.seconds - 2) * 1000L);
            Map<String, Double> seconds = split.stop();
            long tx = load.transactions() - tx0;
            if (tx > 0) {
                Map<String, List<Double>> parts = cpuSplits.computeIfAbsent(what, k -> new java.util.TreeMap<>());
                seconds.forEach((part, sec) -> parts.computeIfAbsent(part, k -> new ArrayList<>()).add(sec * 1e6 / tx));
            }
        }
    }

    /** The CPU split as a table: part, then the median µs per transaction of each kind of run. */
    private String cpuSplitReport() {
        List<String> kinds = new ArrayList<>(cpuSplits.keySet());
        java.util.Set<String> parts = new java.util.TreeSet<>();
        cpuSplits.values().forEach(m -> parts.addAll(m.keySet()));
        StringBuilder sb = new StringBuilder("| part | " + String.join(" | ", kinds) + " |\n|---|" + "---|".repeat(kinds.size()) + "\n");
        for (String part : parts) {
            sb.append("| ").append(part);
            for (String k : kinds) {
                List<Double> v = cpuSplits.get(k).get(part);
                sb.append(" | ").append(v == null ? "" : String.format(Locale.ROOT, "%.0f", Stats.median(v)));
            }
            sb.append(" |\n");
        }
        return sb.toString();
    }

    private double pgbenchTps(PgbenchBinary pgbench, int run, String db, String what) {
        double tps = pgbench.tps(source, db, o.scale, o.clients, o.seconds);
        say(String.format(Locale.ROOT, "  run %d: pgbench, %s: %,.0f tps", run, what, tps));
        return tps;
    }

    private double tps(int run, String db, String what) throws Exception {
        return tps(run, db, what, null);
    }

    /** Seconds of capture-on load before the first measured run; not counted. */
    static final int WARM_UP_SECONDS = 15;

    /**
     * A run that is not counted: the load generator's and the daemon's hot code is compiled by the JIT first, as in
     * a daemon that has been running for a while (without it, the JIT took 15-17 µs a transaction in the measured
     * capture-on runs, more than the daemon's own threads).
     */
    private void warmUp() throws Exception {
        prepare();
        say("  warm-up: TPC-B-like, capture on, " + WARM_UP_SECONDS + " s (not counted)");
        load(DB, WARM_UP_SECONDS).start().awaitDone();
        awaitSettled(SYNC, DB);
    }

    /**
     * cpuPerTransaction: where to add the machine's busy CPU time per transaction of this run (null: not wanted);
     * with it, the CPU time by part is measured too, from the second second to the last but one (the load's
     * sessions are connected by then), and kept in {@link #cpuSplits} under what.
     */
    private double tps(int run, String db, String what, Figure cpuPerTransaction) throws Exception {
        double busy0 = Machine.busySeconds();
        Pgbench.Load load = load(db, o.seconds).start();
        if (cpuPerTransaction != null && o.seconds >= 4) {
            splitCpu(load, what);
        }
        load.awaitDone();
        double busy = Machine.busySeconds() - busy0;
        double tps = load.transactions() / (load.elapsed().toNanos() / 1e9);
        String cpu = "";
        if (cpuPerTransaction != null && !Double.isNaN(busy) && load.transactions() > 0) {
            cpuPerTransaction.add(busy * 1e6 / load.transactions());
            cpu = String.format(Locale.ROOT, ", %.0f µs of CPU each", busy * 1e6 / load.transactions());
        }
        say(String.format(Locale.ROOT, "  run %d: TPC-B-like, %s: %,.0f tps (%,d transactions, %d errors%s)", run, what, tps,
                load.transactions(), load.errors(), cpu));
        if (load.errors() > 0) {
            results.notes.add("TPC-B-like load (" + what + ") had " + load.errors() + " errors, first: " + load.firstError().orElse(null));
        }
        return tps;
    }

    /** The TPC-B-like load of sections 1 and 3 on a source database: only the replicated tables written. */
    private Pgbench.Load load(String db, int seconds) {
        return new Pgbench.Load(source.supplier(db), o.clients).withoutHistory().duration(Duration.ofSeconds(seconds));
    }

    private double timeFullUpdate(int run, String db, String what) throws Exception {
        try (Connection s = source.connect(db)) {
            long t0 = System.nanoTime();
            int n = s.createStatement().executeUpdate("UPDATE pgbench_accounts SET abalance = abalance + 1");
            double secs = (System.nanoTime() - t0) / 1e9;
            say(String.format(Locale.ROOT, "  run %d: UPDATE of %,d rows, %s: %.2f s", run, n, what, secs));
            return secs;
        }
    }

    // ------------------------------------------------------------------ 2. catch-up and 6. heap

    private void catchup() throws Exception {
        ensureReplicating();
        for (int r = 1; r <= o.runs; r++) {
            prepare();
            double raw = rawCopy(r, "");
            raw1m.add(accounts / raw);
            prepare();
            CatchUp c = catchUp(r, SYNC, DB, "", accounts);
            catch1mTime.add(c.seconds);
            catch1mRate.add(c.rows / c.seconds);
            heap1m.add(c.peakHeapMb);
            if (!Double.isNaN(c.liveHeapMb)) {
                heapLive1m.add(c.liveHeapMb);
            }
            heapAny.add(c.peakHeapMb);
        }
        long k = Math.min(100_000, accounts);
        for (int r = 1; r <= o.runs; r++) {
            prepare();
            double raw = rawCopy(r, " WHERE aid <= " + k);
            raw100k.add(k / raw);
            prepare();
            CatchUp c = catchUp(r, SYNC, DB, " WHERE aid <= " + k, k);
            catch100kTime.add(c.seconds);
            catch100kRate.add(c.rows / c.seconds);
            heapAny.add(c.peakHeapMb);
        }
        truncateSink();
        if (o.diagnose) {
            prepare();
            diagnose("catch-up after the UPDATE of all " + accounts + " accounts rows (an extra, untimed run)", SYNC, DB, "", accounts);
            replay("The batch of the UPDATE of all " + accounts + " accounts rows, by hand", SYNC, DB, "");
        }
    }

    /** The raw COPY pipe: COPY (SELECT ...) TO STDOUT on the source streamed into COPY ... FROM STDIN on the target. */
    private double rawCopy(int run, String where) throws Exception {
        truncateSink();
        try (Connection s = source.connect(DB); Connection t = target.connect(DB)) {
            long t0 = System.nanoTime();
            PGCopyInputStream in = new PGCopyInputStream(s.unwrap(PGConnection.class),
                    "COPY (SELECT aid, bid, abalance, filler FROM pgbench_accounts" + where + ") TO STDOUT");
            long rows = t.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + SINK + " (aid, bid, abalance, filler) FROM STDIN", in);
            double secs = (System.nanoTime() - t0) / 1e9;
            say(String.format(Locale.ROOT, "  run %d: raw COPY pipe of %,d rows: %.2f s (%,.0f rows/s)", run, rows, secs, rows / secs));
            return secs;
        }
    }

    private void truncateSink() throws SQLException {
        try (Connection t = target.connect(DB)) {
            exec(t, "TRUNCATE " + SINK);
        }
    }

    record CatchUp(double seconds, long rows, double updateSeconds, double peakHeapMb, double liveHeapMb) {
    }

    /**
     * Commits {@code UPDATE pgbench_accounts SET abalance = abalance + 1 [where]} on the source and times, from the
     * return of the commit, until the target has committed it: until the sync's position for the target (stored
     * right after the target's commit) makes the UPDATE's transaction visible. The repository is polled every
     * 10 ms (a primary-key lookup, nothing on the source or target). The target's table is then compared with the
     * source's (row count and content hash) outside the timed part.
     */
    private CatchUp catchUp(int run, String sync, String db, String where, long expected) throws Exception {
        return catchUp(run, sync, db, where, expected, null);
    }

    private CatchUp catchUp(int run, String sync, String db, String where, long expected, ActivitySampler sampler) throws Exception {
        long txid;
        double upd;
        int n;
        try (Connection s = source.connect(db)) {
            s.setAutoCommit(false);
            txid = queryLong(s, "SELECT txid_current()");
            long u0 = System.nanoTime();
            n = s.createStatement().executeUpdate("UPDATE pgbench_accounts SET abalance = abalance + 1" + where);
            heap.mark();
            s.commit();
            upd = (System.nanoTime() - u0) / 1e9;
        }
        long t0 = System.nanoTime();
        if (sampler != null) {
            sampler.start();
        }
        awaitVisible(sync, txid, t0);
        double secs = (System.nanoTime() - t0) / 1e9;
        if (sampler != null) {
            sampler.stop();
        }
        double peak = heap.peakUsedMb();
        double live = heap.peakAfterGcMb();
        say(String.format(Locale.ROOT, "  run %d: %s: UPDATE of %,d rows %.2f s, then catch-up %.2f s (%,.0f rows/s), heap peak %.0f MB"
                + " (after GC %.0f MB)", run, sync, n, upd, secs, n / secs, peak, live));
        if (n != expected) {
            results.notes.add("A catch-up UPDATE changed " + n + " rows instead of " + expected);
        }
        verify(List.of("public.pgbench_accounts"), db, "after catch-up run " + run + " of " + sync);
        return new CatchUp(secs, n, upd, peak, live);
    }

    private void awaitVisible(String sync, long txid, long since) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(60);
        long lastCheck = System.nanoTime();
        try (PreparedStatement ps = repo.prepareStatement(
                "SELECT bool_and(txid_visible_in_snapshot(?, snapshot::txid_snapshot)) FROM ibex.position WHERE sync = ?")) {
            ps.setLong(1, txid);
            ps.setString(2, sync);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() - lastCheck > TimeUnit.SECONDS.toNanos(1)) {
                    checkNoFailure(sync, since);
                    lastCheck = System.nanoTime();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("sync " + sync + " did not apply transaction " + txid + " within 60 minutes");
                }
                Thread.sleep(10);
            }
        }
    }

    /** Throws if a run of the sync failed since the given System.nanoTime(). */
    private void checkNoFailure(String sync, long sinceNanos) throws SQLException {
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
    private double awaitSettled(String sync, String db) throws Exception {
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

    private void awaitCopied(String sync, long sinceNanos) throws Exception {
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
    private void verify(List<String> tables, String db, String when) throws Exception {
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

    /** An extra catch-up with the activity sampler on, to see where the time goes; not part of the figures. */
    private void diagnose(String what, String sync, String db, String where, long expected) throws Exception {
        say("  diagnosing: " + what);
        try (Connection s = source.connect("postgres"); Connection t = target.connect("postgres")) {
            Map<String, Connection> servers = new LinkedHashMap<>();
            servers.put("source", s);
            servers.put("target", t);
            try (ActivitySampler sampler = new ActivitySampler(servers)) {
                CatchUp c = catchUp(0, sync, db, where, expected, sampler);
                diagnostics.put(what + String.format(Locale.ROOT, ": %.2f s", c.seconds), sampler.report());
            }
        }
    }

    /** Pauses the sync, commits the UPDATE, and replays its batch step by step (StepReplay); then lets the sync go on. */
    private void replay(String what, String sync, String db, String where) throws Exception {
        prepare();
        say("  diagnosing: " + what);
        ibex.pause(List.of(sync));
        Thread.sleep(1500);
        try {
            String previous;
            try (PreparedStatement ps = repo.prepareStatement("SELECT snapshot FROM ibex.position WHERE sync = ?")) {
                ps.setString(1, sync);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    previous = rs.getString(1);
                }
            }
            try (Connection s = source.connect(db)) {
                exec(s, "UPDATE pgbench_accounts SET abalance = abalance + 1" + where);
            }
            try (Connection s = source.connect(db); Connection t = target.connect(db)) {
                diagnostics.put(what, StepReplay.run(s, t, previous, sync, "public", "pgbench_accounts"));
            }
        } finally {
            ibex.resume(List.of(sync));
        }
        awaitSettled(sync, db);
        verify(List.of("public.pgbench_accounts"), db, "after the replay");
    }

    // ------------------------------------------------------------------ 3. lag

    private void lag() throws Exception {
        ensureReplicating();
        for (int r = 1; r <= o.runs; r++) {
            prepare();
            LagRun l = lagRun(r, o.lagRate);
            lagTps.add(l.tps);
            lagP50.add(l.p50);
            lagP95.add(l.p95);
            lagP99.add(l.p99);
            lagMax.add(l.max);
            awaitSettled(SYNC, DB);
        }
        for (int r = 1; r <= o.runs; r++) {
            prepare();
            LagRun l = lagRun(r, 0);
            maxTps.add(l.tps);
            maxP50.add(l.p50);
            maxP95.add(l.p95);
            maxP99.add(l.p99);
            maxMax.add(l.max);
            awaitSettled(SYNC, DB);
        }
    }

    record LagRun(double tps, double p50, double p95, double p99, double max, int beats) {
    }

    /**
     * The TPC-B-like load at a rate (0: as fast as the clients go) for --lag-seconds, with the heartbeat row
     * updated every --heartbeat-ms on the source with clock_timestamp(). A watcher reads the row on the target every
     * 10 ms. The lag of a beat v is the target's clock_timestamp() when it first shows v or a later beat, minus v.
     * Beats of the first 3 seconds are left out (warm-up); beats sent during the load are kept, however late they
     * arrive.
     */
    private LagRun lagRun(int run, double rate) throws Exception {
        List<long[]> observed = Collections.synchronizedList(new ArrayList<>());
        List<Long> beats = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean stopWatch = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean stopBeat = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Exception> error = new java.util.concurrent.atomic.AtomicReference<>();
        Thread watcher = new Thread(() -> {
            try (Connection t = target.connect(DB); PreparedStatement ps = t.prepareStatement(
                    "SELECT (extract(epoch FROM beat) * 1000000)::bigint, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint FROM "
                            + HEARTBEAT + " WHERE id = 1")) {
                long last = Long.MIN_VALUE;
                while (!stopWatch.get()) {
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next() && rs.getLong(1) != last) {
                            last = rs.getLong(1);
                            observed.add(new long[] {last, rs.getLong(2)});
                        }
                    }
                    Thread.sleep(10);
                }
            } catch (Exception e) {
                error.compareAndSet(null, e);
            }
        }, "bench-lag-watcher");
        Thread beater = new Thread(() -> {
            try (Connection s = source.connect(DB); PreparedStatement ps = s.prepareStatement("UPDATE " + HEARTBEAT
                    + " SET beat = clock_timestamp() WHERE id = 1 RETURNING (extract(epoch FROM beat) * 1000000)::bigint")) {
                long next = System.nanoTime();
                while (!stopBeat.get()) {
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        beats.add(rs.getLong(1));
                    }
                    next += TimeUnit.MILLISECONDS.toNanos(o.heartbeatMs);
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        TimeUnit.NANOSECONDS.sleep(sleep);
                    }
                }
            } catch (Exception e) {
                error.compareAndSet(null, e);
            }
        }, "bench-heartbeat");
        watcher.start();
        beater.start();
        Pgbench.Load load = load(DB, o.lagSeconds);
        if (rate > 0) {
            load.rate(rate);
        }
        load.start();
        load.awaitDone();
        stopBeat.set(true);
        beater.join();
        long lastBeat = beats.isEmpty() ? Long.MIN_VALUE : beats.get(beats.size() - 1);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (System.nanoTime() < deadline && error.get() == null) {
            synchronized (observed) {
                if (!observed.isEmpty() && observed.get(observed.size() - 1)[0] >= lastBeat) {
                    break;
                }
            }
            Thread.sleep(20);
        }
        stopWatch.set(true);
        watcher.join();
        if (error.get() != null) {
            throw error.get();
        }
        double tps = load.transactions() / (load.elapsed().toNanos() / 1e9);
        List<Double> lags = new ArrayList<>();
        int undelivered = 0;
        long warmupEnd = beats.isEmpty() ? 0 : beats.get(0) + 3_000_000L;
        List<long[]> obs = new ArrayList<>(observed);
        for (long v : beats) {
            if (v < warmupEnd) {
                continue;
            }
            long[] first = firstAtLeast(obs, v);
            if (first == null) {
                undelivered++;
            } else {
                lags.add((first[1] - v) / 1000.0);
            }
        }
        if (undelivered > 0) {
            results.notes.add(undelivered + " heartbeats of a lag run were not seen on the target within 30 minutes");
        }
        LagRun l = new LagRun(tps, Stats.percentile(lags, 50), Stats.percentile(lags, 95), Stats.percentile(lags, 99),
                Stats.max(lags), lags.size());
        say(String.format(Locale.ROOT, "  run %d: lag at %s: %,.0f tps achieved (%d errors), %d beats: p50 %.0f ms, p95 %.0f ms,"
                        + " p99 %.0f ms, max %.0f ms", run, rate > 0 ? String.format(Locale.ROOT, "%.0f tps", rate) : "the highest rate",
                tps, load.errors(), l.beats, l.p50, l.p95, l.p99, l.max));
        return l;
    }

    private static long[] firstAtLeast(List<long[]> obs, long v) {
        int lo = 0;
        int hi = obs.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (obs.get(mid)[0] >= v) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo < obs.size() ? obs.get(lo) : null;
    }

    // ------------------------------------------------------------------ 4. initial copy

    private void copy() throws Exception {
        ensureReplicating();
        PgDump dump = PgDump.find(o.pgDump != null ? o.pgDump : o.pgBin != null ? o.pgBin.resolve("pg_dump").toString() : null, source, DB);
        if (dump.usable()) {
            baselineName = "pg_dump " + dump.version() + " -Fc | pg_restore into a new database, same tables";
            results.notes.add("Initial copy baseline: `" + dump.pgDump() + " -Fc -t TABLE... | " + dump.pgRestore() + " --no-owner` into a"
                    + " new database (tables, data, then primary keys, as pg_restore orders them). pg_dump -t includes the tables'"
                    + " triggers, ibex's capture triggers too: stubs of their functions are created in the new database beforehand"
                    + " (untimed), so that they restore as an application's triggers would.");
        } else {
            baselineName = "restore-style raw COPY: new tables, COPY of every table, then primary keys";
            results.notes.add("Initial copy baseline: " + dump.why() + " So the baseline is what pg_restore does, done by hand:"
                    + " in a new database, CREATE TABLE, a COPY (SELECT ...) TO STDOUT → COPY FROM STDIN pipe of every table from one"
                    + " REPEATABLE READ snapshot, then ADD PRIMARY KEY; without pg_dump's compression and archive format.");
        }
        copyBase.name = "baseline: " + baselineName;
        long rows = accounts + o.scale + 10L * o.scale + 1;
        for (int r = 1; r <= o.runs; r++) {
            prepare();
            try (Connection t = target.connect(DB)) {
                exec(t, "TRUNCATE pgbench_accounts, pgbench_branches, pgbench_tellers, " + HEARTBEAT);
            }
            ibex.update("sync", SYNC, Map.of("onetimecopy", "1"));
            ibex.reload();
            Thread.sleep(1500); // the daemon re-reads the sync before the kick below
            heap.mark();
            long t0 = System.nanoTime();
            ibex.kick(SYNC);
            awaitCopied(SYNC, t0);
            double secs = (System.nanoTime() - t0) / 1e9;
            heapAny.add(heap.peakUsedMb());
            copyIbex.add(secs);
            say(String.format(Locale.ROOT, "  run %d: onetimecopy of %,d rows: %.2f s (%,.0f rows/s), heap peak %.0f MB", r, rows, secs,
                    rows / secs, heap.peakUsedMb()));
            verify(SYNC_TABLES, DB, "after onetimecopy run " + r);
            prepare();
            double base = dump.usable() ? dumpRestore(dump) : restoreStyleCopy();
            copyBase.add(base);
            double analyzed = base + analyzeRestored();
            copyBaseAnalyzed.add(analyzed);
            say(String.format(Locale.ROOT, "  run %d: %s: %.2f s, then ANALYZE: %.2f s", r, baselineName, base, analyzed));
        }
        target.dropDatabase(RESTORE);
    }

    /** ANALYZE of the tables the baseline restored, timed: what onetimecopy also does (analyze_after_copy). */
    private double analyzeRestored() throws Exception {
        try (Connection t = target.connect(RESTORE)) {
            long t0 = System.nanoTime();
            for (String table : SYNC_TABLES) {
                exec(t, "ANALYZE " + table);
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private double dumpRestore(PgDump dump) throws Exception {
        target.recreateDatabase(RESTORE);
        PgDump.stubTriggerFunctions(source, DB, target, RESTORE, SYNC_TABLES);
        String tables = String.join(" ", SYNC_TABLES.stream().map(t -> "-t " + t).toList());
        String cmd = String.format(Locale.ROOT, "set -o pipefail; '%s' -Fc -h %s -p %d -U %s %s %s | '%s' --no-owner -h %s -p %d -U %s -d %s",
                dump.pgDump(), source.host(), source.port(), source.user(), tables, DB, dump.pgRestore(), target.host(), target.port(),
                target.user(), RESTORE);
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true);
        if (o.password != null) {
            pb.environment().put("PGPASSWORD", o.password);
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (code != 0) {
            throw new IllegalStateException("pg_dump | pg_restore failed: " + output.trim());
        }
        return secs;
    }

    /** What pg_restore does, by hand: new tables, COPY of every table from one snapshot, then the primary keys. */
    private double restoreStyleCopy() throws Exception {
        target.recreateDatabase(RESTORE);
        try (Connection s = source.connect(DB); Connection t = target.connect(RESTORE)) {
            long t0 = System.nanoTime();
            s.setAutoCommit(false);
            exec(s, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            exec(t, "CREATE TABLE pgbench_branches (bid int NOT NULL, bbalance int, filler char(88))");
            exec(t, "CREATE TABLE pgbench_tellers (tid int NOT NULL, bid int, tbalance int, filler char(84))");
            exec(t, "CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler char(84))");
            exec(t, "CREATE TABLE " + HEARTBEAT + " (id int NOT NULL, beat timestamptz NOT NULL)");
            for (String table : List.of("pgbench_branches", "pgbench_tellers", "pgbench_accounts", HEARTBEAT)) {
                PGCopyInputStream in = new PGCopyInputStream(s.unwrap(PGConnection.class), "COPY " + table + " TO STDOUT");
                t.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN", in);
            }
            s.commit();
            exec(t, "ALTER TABLE pgbench_branches ADD PRIMARY KEY (bid)");
            exec(t, "ALTER TABLE pgbench_tellers ADD PRIMARY KEY (tid)");
            exec(t, "ALTER TABLE pgbench_accounts ADD PRIMARY KEY (aid)");
            exec(t, "ALTER TABLE " + HEARTBEAT + " ADD PRIMARY KEY (id)");
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    // ------------------------------------------------------------------ 5. scale

    private void scale() throws Exception {
        ensureReplicating();
        ensureBig();
        long k = Math.min(100_000, accounts);
        for (int r = 1; r <= o.runs; r++) {
            prepare();
            CatchUp small = catchUp(r, SYNC, DB, " WHERE aid <= " + k, k);
            scaleSmall.add(small.seconds);
            heapAny.add(small.peakHeapMb);
            prepare();
            CatchUp big = catchUp(r, BIG_SYNC, BIG, " WHERE aid <= " + k, k);
            scaleBig.add(big.seconds);
            heapAny.add(big.peakHeapMb);
        }
        if (o.diagnose) {
            prepare();
            diagnose("catch-up of " + k + " changed rows in the " + 100_000L * o.bigScale + "-row table (an extra, untimed run)",
                    BIG_SYNC, BIG, " WHERE aid <= " + k, k);
            replay("The batch of " + k + " changed rows in the " + 100_000L * o.bigScale + "-row table, by hand", BIG_SYNC, BIG,
                    " WHERE aid <= " + k);
        }
    }

    private void ensureBig() throws Exception {
        if (bigReady) {
            return;
        }
        long rows = 100_000L * o.bigScale;
        source.recreateDatabase(BIG);
        target.recreateDatabase(BIG);
        double load = step(String.format(Locale.ROOT, "loading pgbench scale %d (%,d accounts) on the source", o.bigScale, rows), () -> {
            try (Connection s = source.connect(BIG)) {
                Pgbench.initialize(s, o.bigScale);
                exec(s, "VACUUM ANALYZE");
            }
            return null;
        });
        try (Connection t = target.connect(BIG)) {
            Pgbench.createSchemaOnly(t);
        }
        ibex.addDatabase("bigsrc", dbParams(source, BIG), false);
        ibex.addDatabase("bigdst", dbParams(target, BIG), false);
        ibex.addTables(List.of("public.pgbench_accounts"), Map.of("db", "bigsrc", "relgroup", BIG_SYNC), false);
        heap.mark();
        double copy = step("adding sync " + BIG_SYNC + " (onetimecopy=1) and waiting for its copy", () -> {
            long since = System.nanoTime();
            ibex.addSync(BIG_SYNC, Map.of("relgroup", BIG_SYNC, "db", "bigsrc,bigdst", "onetimecopy", "1"));
            ibex.reload();
            awaitCopied(BIG_SYNC, since);
            return null;
        });
        bigCopy.add(copy);
        heapAny.add(heap.peakUsedMb());
        setupLines.add(String.format(Locale.ROOT, "Scale: pgbench scale %d (%,d accounts) loaded on the source in %.1f s, in database %s;"
                + " sync %s replicates its pgbench_accounts; its onetimecopy took %.1f s (daemon heap peak %.0f MB).",
                o.bigScale, rows, load, BIG, BIG_SYNC, copy, heap.peakUsedMb()));
        bigReady = true;
        verify(List.of("public.pgbench_accounts"), BIG, "after the onetimecopy of the big table");
    }

    // ------------------------------------------------------------------ the table

    private void summarize() {
        double tOff = tpsOff.median();
        double tOn = tpsOn.median();
        Results.ratio(tpsOn, tOn / tOff, "≥ 0.85× of no capture", tpsOff.samples.isEmpty() || tpsOn.samples.isEmpty() ? null
                : tOn / tOff >= 0.85, "× no capture");
        if (!cpuOn.samples.isEmpty() && !cpuOff.samples.isEmpty()) {
            cpuOn.ratio = String.format(Locale.ROOT, "%.2f× no capture (a CPU-bound source would keep %.2f× its tps)",
                    cpuOn.median() / cpuOff.median(), cpuOff.median() / cpuOn.median());
        }
        if (!tpsNative.samples.isEmpty() && !tpsOff.samples.isEmpty()) {
            tpsNative.ratio = String.format(Locale.ROOT, "%.2f× no capture; ibex capture on is %.2f× of it", tpsNative.median() / tOff,
                    tOn / tpsNative.median());
        }
        if (!cpuNative.samples.isEmpty() && !cpuOff.samples.isEmpty()) {
            cpuNative.ratio = String.format(Locale.ROOT, "%.2f× no capture", cpuNative.median() / cpuOff.median());
        }
        if (!tpsPaused.samples.isEmpty() && !tpsOff.samples.isEmpty()) {
            tpsPaused.ratio = String.format(Locale.ROOT, "%.2f× no capture", tpsPaused.median() / tOff);
        }
        if (!loopOn.samples.isEmpty() && !loopOff.samples.isEmpty()) {
            loopOn.ratio = String.format(Locale.ROOT, "+%.1f µs a statement (%.2f× no capture)",
                    loopOn.median() - loopOff.median(), loopOn.median() / loopOff.median());
        }
        if (!pgbenchOn.samples.isEmpty() && !pgbenchOff.samples.isEmpty()) {
            pgbenchOn.ratio = String.format(Locale.ROOT, "%.2f× pgbench, no capture", pgbenchOn.median() / pgbenchOff.median());
        }
        double uOff = updOff.median();
        double uOn = updOn.median();
        Results.ratio(updOn, uOn / uOff, "≤ 1.5× of no capture", updOff.samples.isEmpty() || updOn.samples.isEmpty() ? null
                : uOn / uOff <= 1.5, "× no capture");
        rate(catch1mRate, raw1m);
        rate(catch100kRate, raw100k);
        double heapGoal = 256;
        heap1m.goal = "< 256 MB";
        heap1m.met = heap1m.samples.isEmpty() ? null : Stats.max(heap1m.samples) < heapGoal;
        heapAny.goal = "< 256 MB, every sample";
        heapAny.met = heapAny.samples.isEmpty() ? null : Stats.max(heapAny.samples) < heapGoal;
        heapAny.ratio = heapAny.samples.isEmpty() ? "" : String.format(Locale.ROOT, "max %.0f MB of %.0f MB (-Xmx)",
                Stats.max(heapAny.samples), HeapSampler.maxHeapMb());
        lagP95.goal = "< 100 ms";
        lagP95.met = lagP95.samples.isEmpty() ? null : lagP95.median() < 100;
        lagP99.goal = "< 250 ms";
        lagP99.met = lagP99.samples.isEmpty() ? null : lagP99.median() < 250;
        if (!maxTps.samples.isEmpty() && !tpsOff.samples.isEmpty()) {
            maxTps.ratio = String.format(Locale.ROOT, "%.2f× no-capture tps", maxTps.median() / tOff);
        }
        Figure b = copyBase;
        if (!copyIbex.samples.isEmpty() && !b.samples.isEmpty()) {
            double r = copyIbex.median() / b.median();
            Results.ratio(copyIbex, r, "≤ 1.0× of the baseline", r <= 1.0, "× baseline");
            if (!copyBaseAnalyzed.samples.isEmpty()) {
                copyBaseAnalyzed.ratio = String.format(Locale.ROOT, "onetimecopy %.2f× this", copyIbex.median() / copyBaseAnalyzed.median());
            }
        }
        if (!scaleSmall.samples.isEmpty() && !scaleBig.samples.isEmpty()) {
            double r = scaleBig.median() / scaleSmall.median();
            Results.ratio(scaleBig, r, "≈ 1× (≤ 1.5×, our reading of \"follows the changed rows\")", r <= 1.5, "× the small table");
        }
    }

    private static void rate(Figure catchUp, Figure raw) {
        if (catchUp.samples.isEmpty() || raw.samples.isEmpty()) {
            return;
        }
        double r = catchUp.median() / raw.median();
        Results.ratio(catchUp, r, "≥ 0.50× of the raw COPY pipe", r >= 0.5, "× raw COPY pipe");
    }

    private String report() {
        StringBuilder sb = new StringBuilder();
        sb.append("## ibex benchmark, ").append(stamp, 0, 10).append("\n\n");
        sb.append("Command: `bin/ibex-bench").append(o.argv.isEmpty() ? "" : " " + String.join(" ", o.argv)).append("`")
                .append(" (JVM options: ").append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())).append(")\n\n");
        sb.append("ibex revision: ").append(System.getProperty("ibex.bench.revision", "unknown")).append(" (the source tree the jar was built from: `git describe --always --dirty` when the launcher ran)\n\n");
        sb.append("Machine: ").append(Machine.describe().replace("\n", "; ")).append("\n\n");
        sb.append("PostgreSQL ").append(pgVersion).append(". ");
        setupLines.forEach(l -> sb.append(l).append(" "));
        sb.append(String.format(Locale.ROOT, "Each figure was measured %d times (median, min – max); total time %.1f min.%n%n",
                o.runs, (System.nanoTime() - started) / 60e9));
        sb.append(results.table()).append("\n");
        sb.append("Load average (1, 5, 15 min) when each section started, the benchmark's own work included: ").append(sectionLoad)
                .append(String.format(Locale.ROOT, "; at the end: %s.%n%n", Machine.loadAverage()));
        sb.append("How each figure is measured:\n\n");
        sb.append("* Before every measurement the acknowledged change rows are purged, every benchmark database is vacuumed and"
                + " analyzed, and both servers checkpoint. The daemon runs in the benchmark's JVM (one thread per sync), which has"
                + " nothing else to do during a catch-up; heap figures are that JVM's.\n");
        sb.append("* Before the first run, " + WARM_UP_SECONDS + " s of the load with capture on, not counted, so that the JIT"
                + " has compiled the load's and the daemon's hot code, as in a daemon that has been running for a while.\n");
        sb.append("* Capture on: the sync exists with its triggers and the daemon is running and applying while the load runs."
                + " The load is pgbench's TPC-B-like transaction without its INSERT into pgbench_history, which has no primary key:"
                + " as in the issue's reference, only replicated tables are written (three UPDATEs and a SELECT). No capture: the same"
                + " load on " + PLAIN + ", a copy of the database on the same server that no sync captures. The two alternate,"
                + " run by run (no capture, then capture on), so that a drift of the machine's speed weighs on both alike.\n");
        if (!tpsNative.samples.isEmpty()) {
            sb.append("* Reference (the issue's \"native logical replication\" column, measured here): the same load on " + NativeReplication.DB
                    + ", another copy of the database on the same source, whose three pgbench tables PostgreSQL's own logical replication"
                    + " (a publication and a subscription, wal_level = logical) sends to the same target server; it runs third in each"
                    + " round, after the capture-on run; its subscription is disabled during the other runs (so that their WAL is not"
                    + " decoded while they run) and enabled again before its own, its slot moved past the WAL written meanwhile, which"
                    + " holds nothing it publishes; the next round waits until it has confirmed everything."
                    + " The benchmark's servers run with wal_level = logical for it in every section (ibex needs only replica);"
                    + " --no-native leaves it out.\n");
        }
        if (!loopOn.samples.isEmpty()) {
            sb.append("* Server-side loop (diagnosis, PostgreSQL 11 and later): a procedure updates one pgbench_accounts row and"
                    + String.format(Locale.ROOT, " commits, %,d times, with synchronous_commit off", LOOP_UPDATES)
                    + ", on " + PLAIN + " and then on the captured database while"
                    + " the sync is paused: the difference is what the capture triggers cost a statement in CPU, without the client,"
                    + " the WAL flush and the other processes that the tps figures include.\n");
        }
        sb.append("* Catch-up: the UPDATE is committed on the source; the time runs from the return of the commit until the"
                + " sync's position for the target (stored right after the target's commit) makes the UPDATE's transaction visible,"
                + " polled every 10 ms in the repository. The target table is then compared with the source (row count and MD5"
                + " of its contents, TableDigest) outside the timed part; any difference is listed below.\n");
        sb.append("* Raw COPY pipe: `COPY (SELECT aid, bid, abalance, filler FROM pgbench_accounts [WHERE aid <= 100000]) TO STDOUT`"
                + " on the source streamed through this JVM into `COPY ... FROM STDIN` of an empty table with the same primary key on"
                + " the target: the same rows between the same servers. A catch-up does more: it also reads the changed keys and"
                + " deletes the old rows.\n");
        sb.append("* Lag: the TPC-B-like load runs at the rate while a heartbeat row (in the sync) is set to clock_timestamp() on"
                + " the source every " + o.heartbeatMs + " ms; the target is read every 10 ms; the lag of a beat is the target's"
                + " clock_timestamp() when it first shows that beat or a later one, minus the beat. Beats of the first 3 s are left"
                + " out. Figures per run, then median and range over the runs. The highest rate is " + o.clients
                + " clients with no rate limit.\n");
        sb.append("* Initial copy: the target tables are emptied, onetimecopy=1 is set, and the time runs from the kick until the"
                + " sync records the copy as done (it includes ANALYZE of the copied tables, analyze_after_copy).\n\n");
        if (!results.notes.isEmpty()) {
            sb.append("Notes:\n\n");
            results.notes.forEach(n -> sb.append("* ").append(n).append("\n"));
            sb.append("\n");
        }
        if (!diagnostics.isEmpty()) {
            sb.append("Where the time goes. For the catch-ups: pg_stat_activity of ibex's sessions on each server and the daemon's"
                    + " sync threads, sampled every 50 ms during an extra run (share of samples in which a session was doing that;"
                    + " sessions are counted each, so shares can add up to more than 100%). For the load: the same, with the load's"
                    + " sessions (ibex-bench) too. Then a batch replayed by hand with ibex's statements, each step timed alone:\n\n");
            diagnostics.forEach((k, v) -> sb.append("**").append(k).append("**\n\n").append(v).append("\n"));
        }
        if (!cpuSplits.isEmpty()) {
            sb.append("CPU time per transaction by part (µs, median of the TPC-B-like runs of section 1, each measured from its"
                    + " second second to its last but one; from /proc: the servers' processes named by pg_stat_activity, this"
                    + " JVM's threads by name; the daemon runs in this JVM, so does the load):\n\n").append(cpuSplitReport()).append("\n");
        }
        sb.append("Daemon log: `").append(daemonLog).append("`\n");
        return sb.toString();
    }

    // ------------------------------------------------------------------ helpers

    interface Body {
        Object run() throws Exception;
    }

    private double step(String what, Body body) throws Exception {
        say(what + " ...");
        long t = System.nanoTime();
        body.run();
        double secs = (System.nanoTime() - t) / 1e9;
        say(String.format(Locale.ROOT, "  done in %.1f s", secs));
        return secs;
    }

    private void say(String line) {
        out.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - started) / 1e9, line);
        out.flush();
    }

    private static long now() {
        return System.nanoTime();
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

    /** The daemon's log (io.ibex, INFO) goes to a file; its warnings also to the console. */
    private static void logTo(Path file) throws IOException {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n");
        enc.start();
        FileAppender<ILoggingEvent> fa = new FileAppender<>();
        fa.setContext(ctx);
        fa.setName("bench-file");
        fa.setFile(file.toString());
        fa.setEncoder(enc);
        fa.start();
        PatternLayoutEncoder enc2 = new PatternLayoutEncoder();
        enc2.setContext(ctx);
        enc2.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n");
        enc2.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setEncoder(enc2);
        ThresholdFilter warn = new ThresholdFilter();
        warn.setLevel("WARN");
        warn.start();
        console.addFilter(warn);
        console.start();
        for (String name : List.of("io.ibex", "io.zonky")) {
            ch.qos.logback.classic.Logger l = ctx.getLogger(name);
            l.setAdditive(false);
            l.addAppender(fa);
            l.addAppender(console);
        }
        ctx.getLogger("io.ibex").setLevel(Level.INFO);
    }
}
