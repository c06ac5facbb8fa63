package io.ibex.bench;

import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.ibex.bench.BenchRig.DB;
import static io.ibex.bench.BenchRig.HEARTBEAT;
import static io.ibex.bench.BenchRig.RESTORE;
import static io.ibex.bench.BenchRig.SYNC;
import static io.ibex.bench.BenchRig.SYNC_TABLES;
import static io.ibex.bench.BenchRig.exec;

/**
 * Section 4, initial copy: the sync's onetimecopy of the main database against pg_dump | pg_restore of the same
 * tables (or, without a usable pg_dump, the same done by hand with COPY), then against that followed by ANALYZE.
 */
final class CopySection {

    private final BenchRig rig;
    private final Options o;
    private final Figures figures;

    CopySection(BenchRig rig) {
        this.rig = rig;
        this.o = rig.o;
        this.figures = rig.figures;
    }

    void run() throws Exception {
        rig.ensureReplicating();
        PgDump dump = PgDump.find(o.pgDump != null ? o.pgDump : o.pgBin != null ? o.pgBin.resolve("pg_dump").toString() : null,
                rig.source, DB);
        String baselineName;
        if (dump.usable()) {
            baselineName = "pg_dump " + dump.version() + " -Fc | pg_restore into a new database, same tables";
            rig.results.notes.add("Initial copy baseline: `" + dump.pgDump() + " -Fc -t TABLE... | " + dump.pgRestore() + " --no-owner` into a"
                    + " new database (tables, data, then primary keys, as pg_restore orders them). pg_dump -t includes the tables'"
                    + " triggers, ibex's capture triggers too: stubs of their functions are created in the new database beforehand"
                    + " (untimed), so that they restore as an application's triggers would.");
        } else {
            baselineName = "restore-style raw COPY: new tables, COPY of every table, then primary keys";
            rig.results.notes.add("Initial copy baseline: " + dump.why() + " So the baseline is what pg_restore does, done by hand:"
                    + " in a new database, CREATE TABLE, a COPY (SELECT ...) TO STDOUT → COPY FROM STDIN pipe of every table from one"
                    + " REPEATABLE READ snapshot, then ADD PRIMARY KEY; without pg_dump's compression and archive format.");
        }
        figures.copyBase.name = "baseline: " + baselineName;
        long rows = rig.accounts + o.scale + 10L * o.scale + 1;
        for (int r = 1; r <= o.runs; r++) {
            rig.prepare();
            try (Connection t = rig.target.connect(DB)) {
                exec(t, "TRUNCATE pgbench_accounts, pgbench_branches, pgbench_tellers, " + HEARTBEAT);
            }
            rig.ibex.update("sync", SYNC, Map.of("onetimecopy", "1"));
            rig.ibex.reload();
            Thread.sleep(1500); // the daemon re-reads the sync before the kick below
            rig.heap.mark();
            long t0 = System.nanoTime();
            rig.ibex.kick(SYNC);
            rig.awaitCopied(SYNC, t0);
            double secs = (System.nanoTime() - t0) / 1e9;
            figures.heapAny.add(rig.heap.peakUsedMb());
            figures.copyIbex.add(secs);
            rig.say(String.format(Locale.ROOT, "  run %d: onetimecopy of %,d rows: %.2f s (%,.0f rows/s), heap peak %.0f MB", r, rows, secs,
                    rows / secs, rig.heap.peakUsedMb()));
            rig.verify(SYNC_TABLES, DB, "after onetimecopy run " + r);
            rig.prepare();
            double base = dump.usable() ? dumpRestore(dump) : restoreStyleCopy();
            figures.copyBase.add(base);
            double analyzed = base + analyzeRestored();
            figures.copyBaseAnalyzed.add(analyzed);
            rig.say(String.format(Locale.ROOT, "  run %d: %s: %.2f s, then ANALYZE: %.2f s", r, baselineName, base, analyzed));
        }
        rig.target.dropDatabase(RESTORE);
    }

    /** ANALYZE of the tables the baseline restored, timed: what onetimecopy also does (analyze_after_copy). */
    private double analyzeRestored() throws Exception {
        try (Connection t = rig.target.connect(RESTORE)) {
            long t0 = System.nanoTime();
            for (String table : SYNC_TABLES) {
                exec(t, "ANALYZE " + table);
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private double dumpRestore(PgDump dump) throws Exception {
        rig.target.recreateDatabase(RESTORE);
        PgDump.stubTriggerFunctions(rig.source, DB, rig.target, RESTORE, SYNC_TABLES);
        String tables = String.join(" ", SYNC_TABLES.stream().map(t -> "-t " + t).toList());
        String cmd = String.format(Locale.ROOT, "set -o pipefail; '%s' -Fc -h %s -p %d -U %s %s %s | '%s' --no-owner -h %s -p %d -U %s -d %s",
                dump.pgDump(), rig.source.host(), rig.source.port(), rig.source.user(), tables, DB, dump.pgRestore(), rig.target.host(),
                rig.target.port(), rig.target.user(), RESTORE);
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
        rig.target.recreateDatabase(RESTORE);
        try (Connection s = rig.source.connect(DB); Connection t = rig.target.connect(RESTORE)) {
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
}
