package io.ibex.bench;

import io.ibex.bench.CatchUps.CatchUp;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

import static io.ibex.bench.BenchRig.DB;
import static io.ibex.bench.BenchRig.SINK;
import static io.ibex.bench.BenchRig.SYNC;
import static io.ibex.bench.BenchRig.exec;

/**
 * Section 2, catch-up (and 6, the daemon's heap during it): the time to apply an UPDATE of the whole accounts table
 * and of 100k rows, against the raw COPY pipe of the same rows between the same servers.
 */
final class CatchUpSection {

    private final BenchRig rig;
    private final Options o;
    private final Figures figures;
    private final CatchUps catchUps;

    CatchUpSection(BenchRig rig) {
        this.rig = rig;
        this.o = rig.o;
        this.figures = rig.figures;
        this.catchUps = new CatchUps(rig);
    }

    void run() throws Exception {
        rig.ensureReplicating();
        for (int r = 1; r <= o.runs; r++) {
            rig.prepare();
            double raw = rawCopy(r, "");
            figures.raw1m.add(rig.accounts / raw);
            rig.prepare();
            CatchUp c = catchUps.measure(r, SYNC, DB, "", rig.accounts);
            figures.catch1mTime.add(c.seconds());
            figures.catch1mRate.add(c.rows() / c.seconds());
            figures.heap1m.add(c.peakHeapMb());
            if (!Double.isNaN(c.liveHeapMb())) {
                figures.heapLive1m.add(c.liveHeapMb());
            }
            figures.heapAny.add(c.peakHeapMb());
        }
        long k = Math.min(100_000, rig.accounts);
        for (int r = 1; r <= o.runs; r++) {
            rig.prepare();
            double raw = rawCopy(r, " WHERE aid <= " + k);
            figures.raw100k.add(k / raw);
            rig.prepare();
            CatchUp c = catchUps.measure(r, SYNC, DB, " WHERE aid <= " + k, k);
            figures.catch100kTime.add(c.seconds());
            figures.catch100kRate.add(c.rows() / c.seconds());
            figures.heapAny.add(c.peakHeapMb());
        }
        truncateSink();
        if (o.diagnose) {
            rig.prepare();
            catchUps.diagnose("catch-up after the UPDATE of all " + rig.accounts + " accounts rows (an extra, untimed run)", SYNC, DB, "",
                    rig.accounts);
            catchUps.replay("The batch of the UPDATE of all " + rig.accounts + " accounts rows, by hand", SYNC, DB, "");
        }
    }

    /** The raw COPY pipe: COPY (SELECT ...) TO STDOUT on the source streamed into COPY ... FROM STDIN on the target. */
    private double rawCopy(int run, String where) throws Exception {
        truncateSink();
        try (Connection s = rig.source.connect(DB); Connection t = rig.target.connect(DB)) {
            long t0 = System.nanoTime();
            PGCopyInputStream in = new PGCopyInputStream(s.unwrap(PGConnection.class),
                    "COPY (SELECT aid, bid, abalance, filler FROM pgbench_accounts" + where + ") TO STDOUT");
            long rows = t.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + SINK + " (aid, bid, abalance, filler) FROM STDIN", in);
            double secs = (System.nanoTime() - t0) / 1e9;
            rig.say(String.format(Locale.ROOT, "  run %d: raw COPY pipe of %,d rows: %.2f s (%,.0f rows/s)", run, rows, secs, rows / secs));
            return secs;
        }
    }

    private void truncateSink() throws SQLException {
        try (Connection t = rig.target.connect(DB)) {
            exec(t, "TRUNCATE " + SINK);
        }
    }
}
