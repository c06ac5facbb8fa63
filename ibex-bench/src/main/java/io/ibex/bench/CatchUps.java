package io.ibex.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ibex.bench.BenchRig.exec;
import static io.ibex.bench.BenchRig.queryLong;

/** A timed catch-up after an UPDATE on the source, and its diagnoses: the catch-up and scale sections measure these. */
final class CatchUps {

    record CatchUp(double seconds, long rows, double updateSeconds, double peakHeapMb, double liveHeapMb) {
    }

    private final BenchRig rig;

    CatchUps(BenchRig rig) {
        this.rig = rig;
    }

    /**
     * Commits {@code UPDATE pgbench_accounts SET abalance = abalance + 1 [where]} on the source and times, from the
     * return of the commit, until the target has committed it: until the sync's position for the target (stored
     * right after the target's commit) makes the UPDATE's transaction visible. The repository is polled every
     * 10 ms (a primary-key lookup, nothing on the source or target). The target's table is then compared with the
     * source's (row count and content hash) outside the timed part.
     */
    CatchUp measure(int run, String sync, String db, String where, long expected) throws Exception {
        return measure(run, sync, db, where, expected, null);
    }

    private CatchUp measure(int run, String sync, String db, String where, long expected, ActivitySampler sampler) throws Exception {
        long txid;
        double upd;
        int n;
        try (Connection s = rig.source.connect(db)) {
            s.setAutoCommit(false);
            txid = queryLong(s, "SELECT txid_current()");
            long u0 = System.nanoTime();
            n = s.createStatement().executeUpdate("UPDATE pgbench_accounts SET abalance = abalance + 1" + where);
            rig.heap.mark();
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
        double peak = rig.heap.peakUsedMb();
        double live = rig.heap.peakAfterGcMb();
        rig.say(String.format(Locale.ROOT, "  run %d: %s: UPDATE of %,d rows %.2f s, then catch-up %.2f s (%,.0f rows/s), heap peak %.0f MB"
                + " (after GC %.0f MB)", run, sync, n, upd, secs, n / secs, peak, live));
        if (n != expected) {
            rig.results.notes.add("A catch-up UPDATE changed " + n + " rows instead of " + expected);
        }
        rig.verify(List.of("public.pgbench_accounts"), db, "after catch-up run " + run + " of " + sync);
        return new CatchUp(secs, n, upd, peak, live);
    }

    private void awaitVisible(String sync, long txid, long since) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(60);
        long lastCheck = System.nanoTime();
        try (PreparedStatement ps = rig.repo.prepareStatement(
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
                    rig.checkNoFailure(sync, since);
                    lastCheck = System.nanoTime();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("sync " + sync + " did not apply transaction " + txid + " within 60 minutes");
                }
                Thread.sleep(10);
            }
        }
    }

    /** An extra catch-up with the activity sampler on, to see where the time goes; not part of the figures. */
    void diagnose(String what, String sync, String db, String where, long expected) throws Exception {
        rig.say("  diagnosing: " + what);
        try (Connection s = rig.source.connect("postgres"); Connection t = rig.target.connect("postgres")) {
            Map<String, Connection> servers = new LinkedHashMap<>();
            servers.put("source", s);
            servers.put("target", t);
            try (ActivitySampler sampler = new ActivitySampler(servers)) {
                CatchUp c = measure(0, sync, db, where, expected, sampler);
                rig.diagnostics.put(what + String.format(Locale.ROOT, ": %.2f s", c.seconds), sampler.report());
            }
        }
    }

    /** Pauses the sync, commits the UPDATE, and replays its batch step by step (StepReplay); then lets the sync go on. */
    void replay(String what, String sync, String db, String where) throws Exception {
        rig.prepare();
        rig.say("  diagnosing: " + what);
        rig.ibex.pause(List.of(sync));
        Thread.sleep(1500);
        try {
            String previous;
            try (PreparedStatement ps = rig.repo.prepareStatement("SELECT snapshot FROM ibex.position WHERE sync = ?")) {
                ps.setString(1, sync);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    previous = rs.getString(1);
                }
            }
            try (Connection s = rig.source.connect(db)) {
                exec(s, "UPDATE pgbench_accounts SET abalance = abalance + 1" + where);
            }
            try (Connection s = rig.source.connect(db); Connection t = rig.target.connect(db)) {
                rig.diagnostics.put(what, StepReplay.run(s, t, previous, sync, "public", "pgbench_accounts"));
            }
        } finally {
            rig.ibex.resume(List.of(sync));
        }
        rig.awaitSettled(sync, db);
        rig.verify(List.of("public.pgbench_accounts"), db, "after the replay");
    }
}
