package io.ibex.metrics;

import io.ibex.model.DaemonSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Each sync's lag, backlog and rows a second over the last hour, one point per snapshot, for the page's plots. */
final class History {
    static final Duration KEPT = Duration.ofHours(1);

    /** One point: when, the sync's worst lag, its backlog, and the rows applied a second since the point before. */
    record Point(Instant at, double lagSeconds, long backlog, double rowsPerSecond) {
    }

    private final Map<String, Deque<Point>> points = new HashMap<>();
    private final Map<String, Long> rowsBefore = new HashMap<>();
    private Instant before;

    synchronized void add(DaemonSnapshot s, Map<String, AtomicLong> rowsOfSync) {
        double seconds = before == null ? 0 : Duration.between(before, s.at()).toMillis() / 1000.0;
        for (DaemonSnapshot.SyncSnapshot y : s.syncs()) {
            long rows = rowsOfSync.getOrDefault(y.name(), new AtomicLong()).get();
            Long was = rowsBefore.put(y.name(), rows);
            double rate = was == null || seconds <= 0 ? 0 : (rows - was) / seconds;
            Deque<Point> d = points.computeIfAbsent(y.name(), k -> new ArrayDeque<>());
            d.addLast(new Point(s.at(), y.lagSeconds(), y.backlog(), rate));
            while (!d.isEmpty() && d.peekFirst().at().isBefore(s.at().minus(KEPT))) {
                d.removeFirst();
            }
        }
        points.keySet().retainAll(s.syncs().stream().map(DaemonSnapshot.SyncSnapshot::name).toList());
        before = s.at();
    }

    synchronized List<Point> of(String sync) {
        return List.copyOf(points.getOrDefault(sync, new ArrayDeque<>()));
    }
}
