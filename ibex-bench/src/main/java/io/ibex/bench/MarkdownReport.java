package io.ibex.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static io.ibex.bench.BenchRig.PLAIN;

/** The run's report in Markdown, as BENCHMARKS.md quotes it: the setup, the table, how each figure is measured, notes. */
final class MarkdownReport {

    private final BenchRig rig;

    MarkdownReport(BenchRig rig) {
        this.rig = rig;
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("## ibex benchmark, ").append(rig.stamp, 0, 10).append("\n\n");
        sb.append("Command: `bin/ibex-bench").append(rig.o.argv.isEmpty() ? "" : " " + String.join(" ", rig.o.argv)).append("`")
                .append(" (JVM options: ").append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())).append(")\n\n");
        sb.append("ibex revision: ").append(System.getProperty("ibex.bench.revision", "unknown")).append(" (the source tree the jar was built from: `git describe --always --dirty` when the launcher ran)\n\n");
        sb.append("Machine: ").append(Machine.describe().replace("\n", "; ")).append("\n\n");
        sb.append("PostgreSQL ").append(rig.pgVersion).append(". ");
        rig.setupLines.forEach(l -> sb.append(l).append(" "));
        sb.append(String.format(Locale.ROOT, "Each figure was measured %d times (median, min – max); total time %.1f min.%n%n",
                rig.o.runs, (System.nanoTime() - rig.started) / 60e9));
        sb.append(rig.results.table()).append("\n");
        sb.append("Load average (1, 5, 15 min) when each section started, the benchmark's own work included: ").append(rig.sectionLoad)
                .append(String.format(Locale.ROOT, "; at the end: %s.%n%n", Machine.loadAverage()));
        sb.append("How each figure is measured:\n\n");
        sb.append("* Before every measurement the acknowledged change rows are purged, every benchmark database is vacuumed and"
                + " analyzed, and both servers checkpoint. The daemon runs in the benchmark's JVM (one thread per sync), which has"
                + " nothing else to do during a catch-up; heap figures are that JVM's.\n");
        sb.append("* Before the first run, " + OverheadSection.WARM_UP_SECONDS + " s of the load with capture on, not counted,"
                + " so that the JIT has compiled the load's and the daemon's hot code, as in a daemon that has been running for a while.\n");
        sb.append("* Capture on: the sync exists with its triggers and the daemon is running and applying while the load runs."
                + " The load is pgbench's TPC-B-like transaction without its INSERT into pgbench_history, which has no primary key:"
                + " as in the issue's reference, only replicated tables are written (three UPDATEs and a SELECT). No capture: the same"
                + " load on " + PLAIN + ", a copy of the database on the same server that no sync captures. The two alternate,"
                + " run by run (no capture, then capture on), so that a drift of the machine's speed weighs on both alike.\n");
        if (!rig.figures.tpsNative.samples.isEmpty()) {
            sb.append("* Reference (the issue's \"native logical replication\" column, measured here): the same load on " + NativeReplication.DB
                    + ", another copy of the database on the same source, whose three pgbench tables PostgreSQL's own logical replication"
                    + " (a publication and a subscription, wal_level = logical) sends to the same target server; it runs third in each"
                    + " round, after the capture-on run; its subscription is disabled during the other runs (so that their WAL is not"
                    + " decoded while they run) and enabled again before its own, its slot moved past the WAL written meanwhile, which"
                    + " holds nothing it publishes; the next round waits until it has confirmed everything."
                    + " The benchmark's servers run with wal_level = logical for it in every section (ibex needs only replica);"
                    + " --no-native leaves it out.\n");
        }
        if (!rig.figures.loopOn.samples.isEmpty()) {
            sb.append("* Server-side loop (diagnosis, PostgreSQL 11 and later): a procedure updates one pgbench_accounts row and"
                    + String.format(Locale.ROOT, " commits, %,d times, with synchronous_commit off", OverheadSection.LOOP_UPDATES)
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
                + " the source every " + rig.o.heartbeatMs + " ms; the target is read every 10 ms; the lag of a beat is the target's"
                + " clock_timestamp() when it first shows that beat or a later one, minus the beat. Beats of the first 3 s are left"
                + " out. Figures per run, then median and range over the runs. The highest rate is " + rig.o.clients
                + " clients with no rate limit.\n");
        sb.append("* Initial copy: the target tables are emptied, onetimecopy=1 is set, and the time runs from the kick until the"
                + " sync records the copy as done (it includes ANALYZE of the copied tables, analyze_after_copy).\n\n");
        if (!rig.results.notes.isEmpty()) {
            sb.append("Notes:\n\n");
            rig.results.notes.forEach(n -> sb.append("* ").append(n).append("\n"));
            sb.append("\n");
        }
        if (!rig.diagnostics.isEmpty()) {
            sb.append("Where the time goes. For the catch-ups: pg_stat_activity of ibex's sessions on each server and the daemon's"
                    + " sync threads, sampled every 50 ms during an extra run (share of samples in which a session was doing that;"
                    + " sessions are counted each, so shares can add up to more than 100%). For the load: the same, with the load's"
                    + " sessions (ibex-bench) too. Then a batch replayed by hand with ibex's statements, each step timed alone:\n\n");
            rig.diagnostics.forEach((k, v) -> sb.append("**").append(k).append("**\n\n").append(v).append("\n"));
        }
        if (!rig.cpuSplits.isEmpty()) {
            sb.append("CPU time per transaction by part (µs, median of the TPC-B-like runs of section 1, each measured from its"
                    + " second second to its last but one; from /proc: the servers' processes named by pg_stat_activity, this"
                    + " JVM's threads by name; the daemon runs in this JVM, so does the load):\n\n").append(cpuSplitTable()).append("\n");
        }
        sb.append("Daemon log: `").append(rig.daemonLog).append("`\n");
        return sb.toString();
    }

    /** The CPU split as a table: part, then the median µs per transaction of each kind of run. */
    private String cpuSplitTable() {
        List<String> kinds = new ArrayList<>(rig.cpuSplits.keySet());
        Set<String> parts = new TreeSet<>();
        rig.cpuSplits.values().forEach(m -> parts.addAll(m.keySet()));
        StringBuilder sb = new StringBuilder("| part | " + String.join(" | ", kinds) + " |\n|---|" + "---|".repeat(kinds.size()) + "\n");
        for (String part : parts) {
            sb.append("| ").append(part);
            for (String k : kinds) {
                List<Double> v = rig.cpuSplits.get(k).get(part);
                sb.append(" | ").append(v == null ? "" : String.format(Locale.ROOT, "%.0f", Stats.median(v)));
            }
            sb.append(" |\n");
        }
        return sb.toString();
    }
}
