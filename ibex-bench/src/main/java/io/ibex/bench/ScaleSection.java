package io.ibex.bench;

import io.ibex.bench.CatchUps.CatchUp;
import io.ibex.workload.Pgbench;

import java.sql.Connection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.ibex.bench.BenchRig.BIG;
import static io.ibex.bench.BenchRig.BIG_SYNC;
import static io.ibex.bench.BenchRig.DB;
import static io.ibex.bench.BenchRig.SYNC;
import static io.ibex.bench.BenchRig.dbParams;
import static io.ibex.bench.BenchRig.exec;

/**
 * Section 5, catch-up cost against table size: the same 100k changed rows caught up in the main database's
 * accounts table and in a far bigger one (--big-scale), loaded and copied once by a sync of its own.
 */
final class ScaleSection {

    private final BenchRig rig;
    private final Options o;
    private final Figures figures;
    private final CatchUps catchUps;

    ScaleSection(BenchRig rig) {
        this.rig = rig;
        this.o = rig.o;
        this.figures = rig.figures;
        this.catchUps = new CatchUps(rig);
    }

    void run() throws Exception {
        rig.ensureReplicating();
        ensureBig();
        long k = Math.min(100_000, rig.accounts);
        for (int r = 1; r <= o.runs; r++) {
            rig.prepare();
            CatchUp small = catchUps.measure(r, SYNC, DB, " WHERE aid <= " + k, k);
            figures.scaleSmall.add(small.seconds());
            figures.heapAny.add(small.peakHeapMb());
            rig.prepare();
            CatchUp big = catchUps.measure(r, BIG_SYNC, BIG, " WHERE aid <= " + k, k);
            figures.scaleBig.add(big.seconds());
            figures.heapAny.add(big.peakHeapMb());
        }
        if (o.diagnose) {
            rig.prepare();
            catchUps.diagnose("catch-up of " + k + " changed rows in the " + 100_000L * o.bigScale + "-row table (an extra, untimed run)",
                    BIG_SYNC, BIG, " WHERE aid <= " + k, k);
            catchUps.replay("The batch of " + k + " changed rows in the " + 100_000L * o.bigScale + "-row table, by hand", BIG_SYNC, BIG,
                    " WHERE aid <= " + k);
        }
    }

    private void ensureBig() throws Exception {
        if (rig.bigReady) {
            return;
        }
        long rows = 100_000L * o.bigScale;
        rig.source.recreateDatabase(BIG);
        rig.target.recreateDatabase(BIG);
        double load = rig.step(String.format(Locale.ROOT, "loading pgbench scale %d (%,d accounts) on the source", o.bigScale, rows), () -> {
            try (Connection s = rig.source.connect(BIG)) {
                Pgbench.initialize(s, o.bigScale);
                exec(s, "VACUUM ANALYZE");
            }
            return null;
        });
        try (Connection t = rig.target.connect(BIG)) {
            Pgbench.createSchemaOnly(t);
        }
        rig.ibex.addDatabase("bigsrc", dbParams(rig.source, BIG), false);
        rig.ibex.addDatabase("bigdst", dbParams(rig.target, BIG), false);
        rig.ibex.addTables(List.of("public.pgbench_accounts"), Map.of("db", "bigsrc", "relgroup", BIG_SYNC), false);
        rig.heap.mark();
        double copy = rig.step("adding sync " + BIG_SYNC + " (onetimecopy=1) and waiting for its copy", () -> {
            long since = System.nanoTime();
            rig.ibex.addSync(BIG_SYNC, Map.of("relgroup", BIG_SYNC, "db", "bigsrc,bigdst", "onetimecopy", "1"));
            rig.ibex.reload();
            rig.awaitCopied(BIG_SYNC, since);
            return null;
        });
        figures.bigCopy.add(copy);
        figures.heapAny.add(rig.heap.peakUsedMb());
        rig.setupLines.add(String.format(Locale.ROOT, "Scale: pgbench scale %d (%,d accounts) loaded on the source in %.1f s, in database %s;"
                + " sync %s replicates its pgbench_accounts; its onetimecopy took %.1f s (daemon heap peak %.0f MB).",
                o.bigScale, rows, load, BIG, BIG_SYNC, copy, rig.heap.peakUsedMb()));
        rig.bigReady = true;
        rig.verify(List.of("public.pgbench_accounts"), BIG, "after the onetimecopy of the big table");
    }
}
