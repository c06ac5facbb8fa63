package io.ibex.bench;

import io.ibex.bench.Results.Figure;

import java.util.Locale;

/** The benchmark's figures, in the order of the table, and their ratios and goals once measured. */
final class Figures {

    final Figure tpsOff;
    final Figure tpsOn;
    final Figure tpsPairs;
    final Figure tpsNative;
    final Figure nativePairs;
    final Figure cpuNative;
    final Figure cpuOff;
    final Figure cpuOn;
    final Figure tpsPaused;
    final Figure loopOff;
    final Figure loopOn;
    final Figure pgbenchOff;
    final Figure pgbenchOn;
    final Figure updOff;
    final Figure updOn;
    final Figure raw1m;
    final Figure catch1mTime;
    final Figure catch1mRate;
    final Figure raw100k;
    final Figure catch100kTime;
    final Figure catch100kRate;
    final Figure heap1m;
    final Figure heapLive1m;
    final Figure lagTps;
    final Figure lagP50;
    final Figure lagP95;
    final Figure lagP99;
    final Figure lagMax;
    final Figure maxTps;
    final Figure maxP50;
    final Figure maxP95;
    final Figure maxP99;
    final Figure maxMax;
    final Figure copyIbex;
    final Figure copyBase;
    final Figure copyBaseAnalyzed;
    final Figure scaleSmall;
    final Figure scaleBig;
    final Figure bigCopy;
    final Figure heapAny;

    Figures(Options o, Results results) {
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
        copyBase = results.figure("4", "baseline: pg_dump -Fc | pg_restore of the same tables", "s").decimals(2)
                .reference("pg_dump | pg_restore ~1.9 s");
        copyBaseAnalyzed = results.figure("4", "the baseline, then ANALYZE of the restored tables (onetimecopy's end state:"
                + " analyze_after_copy)", "s").decimals(2);
        scaleSmall = results.figure("5", "catch-up of 100k changed rows, " + m + "-row table", "s").decimals(2);
        scaleBig = results.figure("5", "catch-up of 100k changed rows, " + big + "-row table", "s").decimals(2);
        bigCopy = results.figure("5", "onetimecopy of the " + big + "-row table (setup, once)", "s").decimals(1);
        heapAny = results.figure("6", "daemon JVM peak heap used, any catch-up (every catch-up above)", "MB").decimals(0);
    }

    void summarize() {
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
}
