package io.ibex.bench;

import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.workload.Pgbench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static io.ibex.bench.BenchRig.DB;
import static io.ibex.bench.BenchRig.HEARTBEAT;
import static io.ibex.bench.BenchRig.PLAIN;
import static io.ibex.bench.BenchRig.REPO;
import static io.ibex.bench.BenchRig.SINK;
import static io.ibex.bench.BenchRig.SYNC;
import static io.ibex.bench.BenchRig.SYNC_TABLES;
import static io.ibex.bench.BenchRig.dbParams;
import static io.ibex.bench.BenchRig.exec;

/**
 * The replication benchmark: capture overhead, catch-up against the raw COPY pipe, lag under a steady rate,
 * initial copy against dump and restore, catch-up cost against table size, and the daemon's heap, each measured
 * several times on two PostgreSQL servers, with the daemon running in this JVM. See BENCHMARKS.md.
 * This class starts the servers and loads them, runs the sections asked for (one class each) and prints the report.
 */
public final class Benchmark {

    private final Options o;
    private final PrintStream out;
    private final BenchRig rig;

    Benchmark(Options o, PrintStream out) {
        this.o = o;
        this.out = out;
        this.rig = new BenchRig(o, out);
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
        rig.stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss"));
        rig.daemonLog = o.out.resolve("daemon-" + rig.stamp + ".log");
        BenchLogging.logTo(rig.daemonLog);
        jdk.jfr.Recording jfr = null;
        if (o.jfr) {
            jfr = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
            jfr.setDestination(o.out.resolve("bench-" + rig.stamp + ".jfr"));
            jfr.start();
        }
        rig.heap = new HeapSampler();
        rig.say("ibex benchmark: " + Machine.describe().replace("\n", "; "));
        double busy = Machine.busyShare(3000);
        String idle = String.format(Locale.ROOT, "Before the start the machine was %.0f%% busy (over 3 s, /proc/stat), load average %s.",
                100 * busy, Machine.loadAverage());
        rig.say(idle);
        rig.setupLines.add(idle);
        if (busy > 0.10) {
            rig.results.notes.add(String.format(Locale.ROOT, "WARNING: the machine was %.0f%% busy before the benchmark started: other"
                    + " work competed for the CPUs, so these figures are not comparable with a run on an idle machine.", 100 * busy));
        }
        rig.say("daemon log: " + rig.daemonLog);
        boolean failed = false;
        try {
            startServers();
            setup();
            for (String section : Options.SECTIONS) {
                if (!o.runs(section)) {
                    continue;
                }
                rig.say("section " + section + " (load average " + Machine.loadAverage() + ")");
                rig.sectionLoad.put(section, Machine.loadAverage());
                try {
                    switch (section) {
                        case "overhead" -> new OverheadSection(rig).run();
                        case "catchup" -> new CatchUpSection(rig).run();
                        case "lag" -> new LagSection(rig).run();
                        case "copy" -> new CopySection(rig).run();
                        case "scale" -> new ScaleSection(rig).run();
                        default -> throw new IllegalStateException(section);
                    }
                } catch (Exception e) {
                    failed = true;
                    rig.results.notes.add("Section " + section + " failed: " + e);
                    rig.say("SECTION " + section + " FAILED: " + e);
                    e.printStackTrace(out);
                }
            }
        } finally {
            rig.stopDaemon();
            if (rig.repo != null) {
                rig.repo.close();
            }
            if (rig.source != null) {
                rig.source.close();
            }
            if (rig.target != null) {
                rig.target.close();
            }
            rig.heap.close();
            if (jfr != null) {
                jfr.stop();
                jfr.close();
                rig.results.notes.add("JFR recording: " + o.out.resolve("bench-" + rig.stamp + ".jfr"));
            }
        }
        rig.figures.summarize();
        String report = new MarkdownReport(rig).text();
        Path file = o.out.resolve("results-" + rig.stamp + ".md");
        Files.writeString(file, report);
        out.println();
        out.println(report);
        out.println("Written to " + file);
        return failed ? 1 : 0;
    }

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
            rig.source = BenchServer.external("source", o.source, o.user, o.password);
            rig.target = BenchServer.external("target", o.target, o.user, o.password);
            rig.setupLines.add("Servers: given (" + o.source + ", " + o.target + "), settings as configured there.");
        } else if (o.pgBin != null) {
            Map<String, String> settings = serverSettings();
            rig.step("starting two PostgreSQL servers from " + o.pgBin, () -> {
                rig.source = BenchServer.local("source", o.pgBin, settings);
                rig.target = BenchServer.local("target", o.pgBin, settings);
                return null;
            });
            rig.setupLines.add("Servers: two PostgreSQL servers started from the local installation " + o.pgBin + " (--pg-bin: its initdb"
                    + " and pg_ctl, io.ibex.bench.LocalServer) on this machine, settings " + settings
                    + " (plus the embedded defaults: timezone UTC, max_connections 100, autovacuum on).");
        } else {
            Map<String, String> settings = serverSettings();
            rig.step("starting two embedded PostgreSQL " + o.pgVersion + " servers", () -> {
                rig.source = BenchServer.start("source", o.pgVersion, settings);
                rig.target = BenchServer.start("target", o.pgVersion, settings);
                return null;
            });
            rig.setupLines.add("Servers: two embedded PostgreSQL " + o.pgVersion + " servers (io.ibex.embedded.PostgresServer) on this machine, "
                    + "settings " + settings + " (plus the embedded defaults: timezone UTC, max_connections 100, autovacuum on).");
        }
        rig.pgVersion = rig.source.query("postgres", "SHOW server_version");
        rig.say(rig.source.describe() + "; " + rig.target.describe() + "; PostgreSQL " + rig.pgVersion);
    }

    private void setup() throws Exception {
        rig.accounts = 100_000L * o.scale;
        rig.source.recreateDatabase(DB);
        rig.target.recreateDatabase(DB);
        rig.target.recreateDatabase(REPO);
        String loading = String.format(Locale.ROOT, "loading pgbench scale %d (%,d accounts) on the source", o.scale, rig.accounts);
        double load = rig.step(loading, () -> {
            try (Connection s = rig.source.connect(DB)) {
                Pgbench.initialize(s, o.scale);
                exec(s, "CREATE TABLE " + HEARTBEAT + " (id int PRIMARY KEY, beat timestamptz NOT NULL)");
                exec(s, "INSERT INTO " + HEARTBEAT + " VALUES (1, clock_timestamp())");
                exec(s, "VACUUM ANALYZE");
            }
            return null;
        });
        rig.setupLines.add(String.format(Locale.ROOT, "Load: pgbench scale %d (%,d accounts) generated and COPYed on the source in %.1f s;"
                + " copied (CREATE DATABASE ... TEMPLATE) to %s, which no sync captures, for the no-capture runs.", o.scale, rig.accounts, load,
                PLAIN));
        rig.source.recreateDatabase(PLAIN, DB);
        try (Connection t = rig.target.connect(DB)) {
            Pgbench.createSchemaOnly(t);
            exec(t, "CREATE TABLE " + HEARTBEAT + " (id int PRIMARY KEY, beat timestamptz NOT NULL)");
            exec(t, "CREATE TABLE " + SINK + " (LIKE pgbench_accounts INCLUDING ALL)");
        }
        rig.ibex = new Ibex(new ConnectionSpec(rig.target.host(), rig.target.port(), REPO, rig.target.user(), rig.target.password()));
        rig.ibex.install();
        o.ibexSettings.forEach(rig.ibex::set);
        rig.ibex.addDatabase("src", dbParams(rig.source, DB), false);
        rig.ibex.addDatabase("dst", dbParams(rig.target, DB), false);
        rig.ibex.addTables(SYNC_TABLES, Map.of("db", "src", "relgroup", SYNC), false);
        rig.repo = rig.target.connect(REPO);
    }
}
