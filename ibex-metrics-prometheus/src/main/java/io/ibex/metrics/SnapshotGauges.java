package io.ibex.metrics;

import io.ibex.model.DaemonSnapshot;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.function.Consumer;
import java.util.function.Supplier;

/** The gauges read from the daemon's latest snapshot at each scrape: nothing is measured twice. */
final class SnapshotGauges {
    private SnapshotGauges() {
    }

    static void register(PrometheusRegistry registry, Supplier<DaemonSnapshot> latest) {
        gauge(registry, latest, "ibex_sync_lag_seconds",
                "Age of the oldest change a target has not received, on the source's clock (0 when none is owed)",
                new String[] {"sync", "db"}, (s, cb) -> s.syncs().forEach(y -> y.targets().forEach(
                        t -> cb.call(t.lagSeconds(), y.name(), t.target()))));
        gauge(registry, latest, "ibex_sync_backlog_rows", "Changed rows a target has not received",
                new String[] {"sync", "db"}, (s, cb) -> s.syncs().forEach(y -> y.targets().forEach(
                        t -> cb.call(t.rows(), y.name(), t.target()))));
        gauge(registry, latest, "ibex_sync_up", "1 when the sync is active, not paused and not Bad",
                new String[] {"sync"}, (s, cb) -> s.syncs().forEach(y -> cb.call(
                        y.active() && !y.paused() && !"Bad".equals(y.state()) ? 1 : 0, y.name())));
        gauge(registry, latest, "ibex_database_up", "1 when the database answered at the last measurement",
                new String[] {"db"}, (s, cb) -> s.databases().forEach((db, up) -> cb.call(up ? 1 : 0, db)));
        gauge(registry, latest, "ibex_capture_table_bytes", "Bytes of capture's change tables on a source",
                new String[] {"db"}, (s, cb) -> s.captureBytes().forEach((db, b) -> cb.call(b, db)));
        gauge(registry, latest, "ibex_copy_rows_done", "Rows copied so far by the initial copy of a table",
                new String[] {"sync", "db", "table"}, (s, cb) -> s.syncs().forEach(y -> y.copies().forEach(
                        c -> cb.call(c.rowsDone(), y.name(), c.target(), c.table()))));
        gauge(registry, latest, "ibex_copy_rows_total", "Rows the initial copy of a table expects (the planner's estimate)",
                new String[] {"sync", "db", "table"}, (s, cb) -> s.syncs().forEach(y -> y.copies().forEach(
                        c -> cb.call(Math.max(c.rowsTotal(), c.rowsDone()), y.name(), c.target(), c.table()))));
        gauge(registry, latest, "ibex_status_timestamp_seconds", "When the daemon last measured its syncs (Unix time)",
                new String[0], (s, cb) -> cb.call(s.at().toEpochMilli() / 1000.0));
    }

    private interface Reading {
        void read(DaemonSnapshot s, GaugeWithCallback.Callback cb);
    }

    private static void gauge(PrometheusRegistry registry, Supplier<DaemonSnapshot> latest, String name, String help,
                              String[] labels, Reading reading) {
        Consumer<GaugeWithCallback.Callback> callback = cb -> {
            DaemonSnapshot s = latest.get();
            if (s != null) {
                reading.read(s, cb);
            }
        };
        GaugeWithCallback.builder().name(name).help(help).labelNames(labels).callback(callback).register(registry);
    }
}
