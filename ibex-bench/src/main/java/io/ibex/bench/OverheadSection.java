package io.ibex.bench;

import io.ibex.bench.Results.Figure;
import io.ibex.workload.Pgbench;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static io.ibex.bench.BenchRig.DB;
import static io.ibex.bench.BenchRig.PLAIN;
import static io.ibex.bench.BenchRig.SYNC;

/**
 * Section 1, capture overhead: the TPC-B-like tps and a full-table UPDATE without capture and with it, PostgreSQL's
 * native logical replication beside them, and (unless --no-diagnose) where the extra cost comes from.
 */
final class OverheadSection {

    private final BenchRig rig;
    private final Options o;
    private final Figures figures;

    OverheadSection(BenchRig rig) {
        this.rig = rig;
        this.o = rig.o;
        this.figures = rig.figures;
    }

    /**
     * The no-capture and the capture-on runs alternate (no capture on the copy {@link BenchRig#PLAIN}, capture on the
     * synced database, same server, same data), so that a machine whose speed drifts during the run weighs on
     * both sides alike.
     */
    void run() throws Exception {
        rig.ensureReplicating();
        rig.nativeReplication = startNative();
        try {
            warmUp();
            for (int r = 1; r <= o.runs; r++) {
                rig.prepare();
                double off = tps(r, PLAIN, "no capture", figures.cpuOff);
                figures.tpsOff.add(off);
                rig.prepare();
                double on = tps(r, DB, "capture on", figures.cpuOn);
                figures.tpsOn.add(on);
                figures.tpsPairs.add(on / off);
                rig.awaitSettled(SYNC, DB);
                if (rig.nativeReplication != null) {
                    rig.prepare();
                    rig.nativeReplication.resume();
                    double nat = tps(r, NativeReplication.DB, "native logical replication", figures.cpuNative);
                    figures.tpsNative.add(nat);
                    figures.nativePairs.add(nat / off);
                    double c = rig.nativeReplication.awaitCaughtUp(Duration.ofMinutes(10));
                    rig.say(String.format(Locale.ROOT, "    (native logical replication caught up %.1f s later)", c));
                    rig.nativeReplication.pause();
                }
            }
        } finally {
            if (rig.nativeReplication != null) {
                rig.nativeReplication.close();
                rig.nativeReplication = null;
            }
        }
        for (int r = 1; r <= o.runs; r++) {
            rig.prepare();
            figures.updOff.add(timeFullUpdate(r, PLAIN, "no capture"));
            rig.prepare();
            figures.updOn.add(timeFullUpdate(r, DB, "capture on"));
            double c = rig.awaitSettled(SYNC, DB);
            rig.say(String.format(Locale.ROOT, "    (target caught up %.1f s later)", c));
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
        String why = NativeReplication.unavailable(rig.source);
        if (why == null) {
            try {
                NativeReplication[] started = new NativeReplication[1];
                double t = rig.step("setting up native logical replication of " + String.join(", ", NativeReplication.TABLES) + " (the reference)",
                        () -> started[0] = NativeReplication.start(rig.source, rig.target, PLAIN, Duration.ofMinutes(5)));
                rig.setupLines.add(String.format(Locale.ROOT, "Native logical replication (section 1's reference): database %s, a copy of %s,"
                        + " publication and subscription %s of %s; its initial copy took %.1f s.", NativeReplication.DB, PLAIN,
                        NativeReplication.NAME, String.join(", ", NativeReplication.TABLES), t));
                return started[0];
            } catch (Exception e) {
                why = "it could not be set up: " + e.getMessage();
            }
        }
        rig.results.notes.add("Native logical replication was not measured beside ibex: " + why + ".");
        return null;
    }

    /**
     * Where the capture overhead comes from, for whoever optimises it (not goals): the tps with the triggers but
     * the sync paused (no apply competing for the machine); the tps ratio with PostgreSQL's pgbench as the load
     * instead of the Java one (where pgbench is installed); and what the source's sessions wait for with capture on.
     */
    private void overheadDiagnosis() throws Exception {
        rig.ibex.pause(List.of(SYNC));
        try {
            for (int r = 1; r <= o.runs; r++) {
                rig.prepare();
                figures.tpsPaused.add(tps(r, DB, "triggers only, sync paused"));
            }
            updateLoops();
        } finally {
            rig.ibex.resume(List.of(SYNC));
        }
        rig.awaitSettled(SYNC, DB);
        Optional<PgbenchBinary> pgbench = PgbenchBinary.find(o.pgBin);
        if (pgbench.isEmpty()) {
            rig.results.notes.add("No pgbench was found (the embedded binaries have none), so the tps with a C client was not measured.");
        } else {
            rig.results.notes.add("The pgbench rows: " + pgbench.get().describe() + ", " + o.clients + " clients, " + o.seconds
                    + " s, no capture and capture on alternating as above: the same load from a client in its own process instead"
                    + " of the Java one, which runs in the benchmark's JVM beside the daemon.");
            for (int r = 1; r <= o.runs; r++) {
                rig.prepare();
                figures.pgbenchOff.add(pgbenchTps(pgbench.get(), r, PLAIN, "no capture"));
                rig.prepare();
                figures.pgbenchOn.add(pgbenchTps(pgbench.get(), r, DB, "capture on"));
                rig.awaitSettled(SYNC, DB);
            }
        }
        rig.prepare();
        rig.say("  diagnosing: TPC-B-like load with capture on (an extra, untimed run of " + o.seconds + " s)");
        try (Connection s = rig.source.connect("postgres"); Connection t = rig.target.connect("postgres")) {
            Map<String, Connection> servers = new LinkedHashMap<>();
            servers.put("source", s);
            servers.put("target", t);
            try (ActivitySampler sampler = new ActivitySampler(servers, true)) {
                sampler.start();
                double tps = tps(0, DB, "capture on, sampled");
                sampler.stop();
                rig.diagnostics.put(String.format(Locale.ROOT, "TPC-B-like load, %d clients, capture on: %,.0f tps", o.clients, tps),
                        sampler.report());
            }
        }
        rig.awaitSettled(SYNC, DB);
    }

    /** One-row UPDATEs in each server-side loop. */
    static final int LOOP_UPDATES = 20_000;

    /**
     * The triggers' own cost per statement (see UpdateLoop), no capture and capture on alternating, while the sync
     * is paused; the rows the loops change are applied when it resumes.
     */
    private void updateLoops() throws Exception {
        int n = LOOP_UPDATES;
        try (Connection plain = rig.source.connect(PLAIN); Connection captured = rig.source.connect(DB)) {
            if (!UpdateLoop.supported(plain)) {
                rig.results.notes.add("The server-side update loop needs PostgreSQL " + UpdateLoop.SINCE_MAJOR + " or later: not measured.");
                return;
            }
            UpdateLoop.install(plain);
            UpdateLoop.install(captured);
            for (int r = 1; r <= o.runs; r++) {
                double off = UpdateLoop.microsEach(plain, n);
                double on = UpdateLoop.microsEach(captured, n);
                figures.loopOff.add(off);
                figures.loopOn.add(on);
                rig.say(String.format(Locale.ROOT, "  run %d: server-side loop of %,d one-row UPDATEs: %.1f µs each without capture,"
                        + " %.1f with the triggers", r, n, off, on));
            }
        }
    }

    private void splitCpu(Pgbench.Load load, String what) throws Exception {
        Thread.sleep(1000);
        try (Connection s = rig.source.connect("postgres"); Connection t = rig.target.connect("postgres")) {
            CpuSplit split = CpuSplit.start(Map.of("source", s, "target", t));
            if (split == null) {
                return; // servers elsewhere
            }
            long tx0 = load.transactions();
            Thread.sleep((o.seconds - 2) * 1000L);
            Map<String, Double> seconds = split.stop();
            long tx = load.transactions() - tx0;
            if (tx > 0) {
                Map<String, List<Double>> parts = rig.cpuSplits.computeIfAbsent(what, k -> new TreeMap<>());
                seconds.forEach((part, sec) -> parts.computeIfAbsent(part, k -> new ArrayList<>()).add(sec * 1e6 / tx));
            }
        }
    }

    private double pgbenchTps(PgbenchBinary pgbench, int run, String db, String what) {
        double tps = pgbench.tps(rig.source, db, o.scale, o.clients, o.seconds);
        rig.say(String.format(Locale.ROOT, "  run %d: pgbench, %s: %,.0f tps", run, what, tps));
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
        rig.prepare();
        rig.say("  warm-up: TPC-B-like, capture on, " + WARM_UP_SECONDS + " s (not counted)");
        rig.load(DB, WARM_UP_SECONDS).start().awaitDone();
        rig.awaitSettled(SYNC, DB);
    }

    /**
     * cpuPerTransaction: where to add the machine's busy CPU time per transaction of this run (null: not wanted);
     * with it, the CPU time by part is measured too, from the second second to the last but one (the load's
     * sessions are connected by then), and kept in {@link BenchRig#cpuSplits} under what.
     */
    private double tps(int run, String db, String what, Figure cpuPerTransaction) throws Exception {
        double busy0 = Machine.busySeconds();
        Pgbench.Load load = rig.load(db, o.seconds).start();
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
        rig.say(String.format(Locale.ROOT, "  run %d: TPC-B-like, %s: %,.0f tps (%,d transactions, %d errors%s)", run, what, tps,
                load.transactions(), load.errors(), cpu));
        if (load.errors() > 0) {
            rig.results.notes.add("TPC-B-like load (" + what + ") had " + load.errors() + " errors, first: " + load.firstError().orElse(null));
        }
        return tps;
    }

    private double timeFullUpdate(int run, String db, String what) throws Exception {
        try (Connection s = rig.source.connect(db)) {
            long t0 = System.nanoTime();
            int n = s.createStatement().executeUpdate("UPDATE pgbench_accounts SET abalance = abalance + 1");
            double secs = (System.nanoTime() - t0) / 1e9;
            rig.say(String.format(Locale.ROOT, "  run %d: UPDATE of %,d rows, %s: %.2f s", run, n, what, secs));
            return secs;
        }
    }
}
