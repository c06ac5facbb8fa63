package io.ibex.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A poor man's profiler for one catch-up: every 50 ms it notes what ibex's sessions are doing on each server
 * (pg_stat_activity: state, wait event, statement) and where the daemon's sync threads are in Java. The share of
 * samples per activity tells where the time goes.
 */
final class ActivitySampler implements AutoCloseable {
    private final Map<String, Connection> servers;
    private final Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
    private final Map<String, Integer> samples = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean stop;
    private final boolean everyone;

    /** servers: a label and a connection (to any database of the server) for each server to watch. */
    ActivitySampler(Map<String, Connection> servers) {
        this(servers, false);
    }

    /** everyone: watch the benchmark's own sessions (the load) too, not only ibex's. */
    ActivitySampler(Map<String, Connection> servers, boolean everyone) {
        this.servers = servers;
        this.everyone = everyone;
        servers.keySet().forEach(k -> {
            counts.put(k, new TreeMap<>());
            samples.put(k, 0);
        });
        counts.put("java", new TreeMap<>());
        samples.put("java", 0);
        thread = new Thread(this::loop, "bench-activity-sampler");
        thread.setDaemon(true);
    }

    /** Starts sampling (at the commit of the change whose catch-up is watched). */
    void start() {
        thread.start();
    }

    /** Stops sampling (when the target has the change). */
    void stop() throws InterruptedException {
        stop = true;
        thread.join(2000);
    }

    private void loop() {
        while (!stop) {
            for (Map.Entry<String, Connection> e : servers.entrySet()) {
                try {
                    sampleServer(e.getKey(), e.getValue());
                } catch (SQLException ignored) {
                    // a missed sample
                }
            }
            sampleJava();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sampleServer(String label, Connection c) throws SQLException {
        List<String> seen = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT application_name, state, coalesce(wait_event_type || ':' || wait_event, 'CPU'), query FROM pg_stat_activity"
                        + " WHERE application_name LIKE 'ibex%'" + (everyone ? "" : " AND application_name <> 'ibex-bench'")
                        + " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                        + " AND state IS NOT NULL AND state <> 'idle'")) {
            while (rs.next()) {
                String state = rs.getString(2);
                String what = state.equals("active") ? shorten(rs.getString(4)) + " [" + rs.getString(3) + "]" : state;
                seen.add(rs.getString(1) + ": " + what);
            }
        }
        synchronized (this) {
            samples.merge(label, 1, Integer::sum);
            if (seen.isEmpty()) {
                counts.get(label).merge("(no session busy)", 1, Integer::sum);
            }
            for (String w : seen) {
                counts.get(label).merge(w, 1, Integer::sum);
            }
        }
    }

    private void sampleJava() {
        List<String> seen = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (!e.getKey().getName().startsWith("sync-")) {
                continue;
            }
            StackTraceElement[] st = e.getValue();
            if (st.length == 0) {
                continue;
            }
            String top = frame(st[0]);
            String ibex = "";
            for (StackTraceElement f : st) {
                if (f.getClassName().startsWith("io.ibex")) {
                    ibex = frame(f);
                    break;
                }
            }
            String state = e.getKey().getState() == Thread.State.RUNNABLE && !top.contains("socketRead") && !top.contains("read0")
                    && !top.contains("poll") ? "cpu" : "wait";
            if (ibex.equals("SyncWorker.waitForWork")) {
                continue; // an idle sync
            }
            seen.add(state + " " + top + " <- " + ibex);
        }
        synchronized (this) {
            samples.merge("java", 1, Integer::sum);
            if (seen.isEmpty()) {
                counts.get("java").merge("(no sync thread busy)", 1, Integer::sum);
            }
            for (String w : seen) {
                counts.get("java").merge(w, 1, Integer::sum);
            }
        }
    }

    private static String frame(StackTraceElement f) {
        String cls = f.getClassName();
        return cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethodName();
    }

    /** The statement with literals and long lists collapsed, cut to a readable length. */
    static String shorten(String sql) {
        String s = sql.replaceAll("\\s+", " ").replaceAll("'[^']*'", "'…'").replaceAll("\\b\\d+\\b", "N");
        return s.length() > 150 ? s.substring(0, 150) + "…" : s;
    }

    /** A Markdown list of the activities seen, most frequent first, as shares of the samples. */
    synchronized String report() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Map<String, Integer>> e : counts.entrySet()) {
            int n = samples.get(e.getKey());
            sb.append("* ").append(e.getKey()).append(" (").append(n).append(" samples):\n");
            e.getValue().entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(8).forEach(x ->
                    sb.append(String.format(Locale.ROOT, "  * %4.1f%%  `%s`%n", 100.0 * x.getValue() / Math.max(1, n),
                            x.getKey().replace("`", "'"))));
        }
        return sb.toString();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
