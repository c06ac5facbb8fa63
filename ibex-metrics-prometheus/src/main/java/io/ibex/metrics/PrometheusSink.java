package io.ibex.metrics;

import io.ibex.model.DaemonSnapshot;
import io.ibex.spi.MetricsSink;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's metrics in the Prometheus text format and its live status page, served on http_listen
 * ({@link StatusServer}). Counters and the run histogram are updated as runs end; the gauges (lag, backlog,
 * databases, copies) are read at scrape time from the daemon's latest {@link DaemonSnapshot}.
 */
public final class PrometheusSink implements MetricsSink {
    private static final Logger log = LoggerFactory.getLogger(PrometheusSink.class);

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter rowsApplied;
    private final Counter runs;
    private final Counter conflicts;
    private final Histogram runDuration;
    private final Info info;
    private final Map<String, AtomicLong> rowsOfSync = new ConcurrentHashMap<>();
    private final History history = new History();
    private volatile DaemonSnapshot latest;
    private StatusServer server;

    public PrometheusSink() {
        rowsApplied = Counter.builder().name("ibex_rows_applied_total")
                .help("Rows applied to targets (op: delete or insert; an update is both)").labelNames("sync", "db", "op").register(registry);
        runs = Counter.builder().name("ibex_sync_runs_total").help("Runs of a sync by outcome (good, empty, bad)")
                .labelNames("sync", "result").register(registry);
        conflicts = Counter.builder().name("ibex_conflicts_total").help("Keys changed on several sources in one batch, decided by the strategy")
                .labelNames("sync", "strategy").register(registry);
        runDuration = Histogram.builder().name("ibex_sync_run_duration_seconds").help("How long a run of a sync took")
                .labelNames("sync").classicOnly()
                .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800).register(registry);
        info = Info.builder().name("ibex_daemon_info").help("The running daemon").labelNames("version", "host").register(registry);
        SnapshotGauges.register(registry, () -> latest);
        JvmMetrics.builder().register(registry);
    }

    @Override
    public void start(String host, int port) {
        if (host == null) {
            return;
        }
        server = StatusServer.start(host, port, registry, this::statusJson);
        if (server != null) {
            log.info("MCP Metrics and status page on http://{}/", server.address());
        }
    }

    @Override
    public void runEnded(String sync, String target, String outcome, double seconds, long deletes, long inserts,
                         long conflictCount, String strategy) {
        String db = target == null ? "" : target;
        runs.labelValues(sync, outcome).inc();
        runDuration.labelValues(sync).observe(seconds);
        if (deletes > 0) {
            rowsApplied.labelValues(sync, db, "delete").inc(deletes);
        }
        if (inserts > 0) {
            rowsApplied.labelValues(sync, db, "insert").inc(inserts);
        }
        if (conflictCount > 0) {
            conflicts.labelValues(sync, strategy == null ? "" : strategy).inc(conflictCount);
        }
        rowsOfSync.computeIfAbsent(sync, k -> new AtomicLong()).addAndGet(deletes + inserts);
    }

    @Override
    public void snapshot(DaemonSnapshot snapshot) {
        if (latest == null) {
            info.setLabelValues(snapshot.version(), snapshot.host());
        }
        latest = snapshot;
        history.add(snapshot, rowsOfSync);
    }

    /** The page's data: the latest snapshot and each sync's last hour. */
    String statusJson() {
        return StatusJson.of(latest, history);
    }

    /** Where it serves (host:port), or null when it does not. */
    public String address() {
        return server == null ? null : server.address();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }
}
