package io.ibex.bench;

import io.ibex.workload.Pgbench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.ibex.bench.BenchRig.DB;
import static io.ibex.bench.BenchRig.HEARTBEAT;
import static io.ibex.bench.BenchRig.SYNC;

/** Section 3, lag: how late a heartbeat row reaches the target under the load at a steady rate and at the highest. */
final class LagSection {

    private final BenchRig rig;
    private final Options o;
    private final Figures figures;

    LagSection(BenchRig rig) {
        this.rig = rig;
        this.o = rig.o;
        this.figures = rig.figures;
    }

    void run() throws Exception {
        rig.ensureReplicating();
        for (int r = 1; r <= o.runs; r++) {
            rig.prepare();
            LagRun l = lagRun(r, o.lagRate);
            figures.lagTps.add(l.tps);
            figures.lagP50.add(l.p50);
            figures.lagP95.add(l.p95);
            figures.lagP99.add(l.p99);
            figures.lagMax.add(l.max);
            rig.awaitSettled(SYNC, DB);
        }
        for (int r = 1; r <= o.runs; r++) {
            rig.prepare();
            LagRun l = lagRun(r, 0);
            figures.maxTps.add(l.tps);
            figures.maxP50.add(l.p50);
            figures.maxP95.add(l.p95);
            figures.maxP99.add(l.p99);
            figures.maxMax.add(l.max);
            rig.awaitSettled(SYNC, DB);
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
        AtomicBoolean stopWatch = new AtomicBoolean();
        AtomicBoolean stopBeat = new AtomicBoolean();
        AtomicReference<Exception> error = new AtomicReference<>();
        Thread watcher = new Thread(() -> {
            try (Connection t = rig.target.connect(DB); PreparedStatement ps = t.prepareStatement(
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
            try (Connection s = rig.source.connect(DB); PreparedStatement ps = s.prepareStatement("UPDATE " + HEARTBEAT
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
        Pgbench.Load load = rig.load(DB, o.lagSeconds);
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
            rig.results.notes.add(undelivered + " heartbeats of a lag run were not seen on the target within 30 minutes");
        }
        LagRun l = new LagRun(tps, Stats.percentile(lags, 50), Stats.percentile(lags, 95), Stats.percentile(lags, 99),
                Stats.max(lags), lags.size());
        rig.say(String.format(Locale.ROOT, "  run %d: lag at %s: %,.0f tps achieved (%d errors), %d beats: p50 %.0f ms, p95 %.0f ms,"
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
}
