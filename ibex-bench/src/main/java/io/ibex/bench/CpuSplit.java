package io.ibex.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CPU time of one measured run, by part: each server's processes (named by pg_stat_activity at the start:
 * the load's sessions, ibex's sessions, native logical replication's walsender and apply worker, the rest) and the threads of this JVM (the daemon's, the load's, the
 * JIT compiler's and the garbage collector's), from /proc. Only for servers on this machine; processes that start
 * during the run (an autovacuum worker) fall into "the rest of the machine".
 */
final class CpuSplit {

    /** USER_HZ: /proc's CPU times are in hundredths of a second on Linux. */
    private static final double TICK = 0.01;

    private final Map<Long, String> serverParts = new HashMap<>();
    private final Map<Long, Double> serverStart = new HashMap<>();
    private final Map<String, Double> threadStart;
    private final double busyStart;

    private CpuSplit(Map<String, Connection> servers) throws SQLException {
        for (Map.Entry<String, Connection> s : servers.entrySet()) {
            try (Statement st = s.getValue().createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT pid, coalesce(application_name, ''), " + (s.getValue().getMetaData().getDatabaseMajorVersion() >= 10
                            ? "backend_type = 'logical replication worker'" : "false") + " FROM pg_stat_activity")) {
                while (rs.next()) {
                    String app = rs.getString(2);
                    String part = app.equals(BenchServer.APPLICATION_NAME) ? "the load's sessions"
                            : app.equals(NativeReplication.NAME) || rs.getBoolean(3) ? "native logical replication"
                            : app.startsWith("ibex") ? "ibex's sessions" : "background processes";
                    serverParts.putIfAbsent(rs.getLong(1), s.getKey() + ": " + part);
                }
            }
        }
        serverParts.keySet().forEach(pid -> serverStart.put(pid, processSeconds(Path.of("/proc", Long.toString(pid), "stat"))));
        threadStart = threadSeconds();
        busyStart = Machine.busySeconds();
    }

    /** Starts measuring; null where the servers' processes are not on this machine (or /proc cannot be read). */
    static CpuSplit start(Map<String, Connection> servers) {
        try {
            CpuSplit s = new CpuSplit(servers);
            return s.serverStart.values().stream().anyMatch(v -> !Double.isNaN(v)) ? s : null;
        } catch (SQLException e) {
            return null;
        }
    }

    /** CPU seconds by part since the start, with "the rest of the machine" (kernel, other processes) last. */
    Map<String, Double> stop() {
        Map<String, Double> out = new LinkedHashMap<>();
        double busy = Machine.busySeconds() - busyStart;
        double counted = 0;
        for (Map.Entry<Long, String> p : serverParts.entrySet()) {
            double d = processSeconds(Path.of("/proc", Long.toString(p.getKey()), "stat")) - serverStart.get(p.getKey());
            if (!Double.isNaN(d)) {
                out.merge(p.getValue(), d, Double::sum);
                counted += d;
            }
        }
        Map<String, Double> threads = threadSeconds();
        for (Map.Entry<String, Double> t : threads.entrySet()) {
            double d = t.getValue() - threadStart.getOrDefault(t.getKey(), 0.0);
            out.merge("this JVM: " + threadPart(t.getKey().substring(t.getKey().indexOf(' ') + 1)), d, Double::sum);
            counted += d;
        }
        out.put("the rest of the machine (kernel, other processes)", Math.max(0, busy - counted));
        return out;
    }

    /** What a thread of this JVM belongs to, by its name (as the kernel keeps it: 15 characters). */
    static String threadPart(String name) {
        if (Stream.of("sync-", "watch-", "slice-", "copy-", "ibex-daemon").anyMatch(name::startsWith)) {
            return "the daemon's threads";
        }
        if (name.startsWith("pgbench-client")) {
            return "the load's threads";
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return "JIT compiler";
        }
        if (name.startsWith("GC ") || name.startsWith("G1 ") || name.equals("VM Thread")) {
            return "garbage collector";
        }
        return "other threads";
    }

    /** CPU seconds of every thread of this JVM, keyed "tid name". */
    private static Map<String, Double> threadSeconds() {
        Map<String, Double> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    double s = cpuSeconds(stat);
                    if (!Double.isNaN(s)) {
                        out.put(task.getFileName() + " " + name, s);
                    }
                } catch (IOException | RuntimeException ignored) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException ignored) {
            // no /proc: nothing to split
        }
        return out;
    }

    private static double processSeconds(Path stat) {
        try {
            return cpuSeconds(Files.readString(stat));
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** utime + stime of a /proc stat line (fields 14 and 15; the name in parentheses may hold spaces). */
    static double cpuSeconds(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK;
    }
}
