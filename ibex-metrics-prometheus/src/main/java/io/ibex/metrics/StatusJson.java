package io.ibex.metrics;

import io.ibex.model.DaemonSnapshot;
import io.ibex.model.DaemonSnapshot.ConflictLine;
import io.ibex.model.DaemonSnapshot.Copy;
import io.ibex.model.DaemonSnapshot.SyncSnapshot;
import io.ibex.model.DaemonSnapshot.Undelivered;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** What {@code /status.json} serves: the latest snapshot and each sync's last hour, for the status page. */
final class StatusJson {
    private StatusJson() {
    }

    static String of(DaemonSnapshot s, History history) {
        if (s == null) {
            return "{\"measured\":false}";
        }
        StringBuilder b = new StringBuilder(4096);
        b.append("{\"measured\":true,\"at\":").append(time(s.at()))
                .append(",\"version\":").append(str(s.version()))
                .append(",\"host\":").append(str(s.host()))
                .append(",\"pid\":").append(s.pid())
                .append(",\"databases\":").append(map(s.databases(), v -> v ? "true" : "false"))
                .append(",\"captureBytes\":").append(map(s.captureBytes(), String::valueOf))
                .append(",\"syncs\":").append(list(s.syncs(), y -> sync(y, history.of(y.name()))))
                .append('}');
        return b.toString();
    }

    private static String sync(SyncSnapshot y, List<History.Point> points) {
        return "{\"name\":" + str(y.name()) + ",\"state\":" + str(y.state()) + ",\"active\":" + y.active()
                + ",\"paused\":" + y.paused() + ",\"lag\":" + num(y.lagSeconds()) + ",\"backlog\":" + y.backlog()
                + ",\"lastError\":" + str(y.lastError()) + ",\"lastErrorAt\":" + time(y.lastErrorAt())
                + ",\"targets\":" + list(y.targets(), StatusJson::target)
                + ",\"copies\":" + list(y.copies(), StatusJson::copy)
                + ",\"conflicts\":" + list(y.conflicts(), StatusJson::conflict)
                + ",\"history\":" + list(points, p -> "[" + p.at().toEpochMilli() + "," + num(p.lagSeconds()) + ","
                        + p.backlog() + "," + num(p.rowsPerSecond()) + "]")
                + "}";
    }

    private static String target(Undelivered t) {
        return "{\"source\":" + str(t.source()) + ",\"target\":" + str(t.target()) + ",\"rows\":" + t.rows()
                + ",\"lag\":" + num(t.lagSeconds()) + ",\"tables\":" + map(t.perTable(), String::valueOf)
                + ",\"error\":" + str(t.error()) + "}";
    }

    private static String copy(Copy c) {
        return "{\"target\":" + str(c.target()) + ",\"table\":" + str(c.table()) + ",\"done\":" + c.rowsDone()
                + ",\"total\":" + c.rowsTotal() + ",\"started\":" + time(c.started()) + ",\"finished\":" + time(c.finished()) + "}";
    }

    private static String conflict(ConflictLine k) {
        return "{\"at\":" + time(k.at()) + ",\"table\":" + str(k.table()) + ",\"key\":" + str(k.key())
                + ",\"winner\":" + str(k.winner()) + ",\"strategy\":" + str(k.strategy()) + "}";
    }

    private static <T> String list(List<T> items, Function<T, String> each) {
        StringBuilder b = new StringBuilder("[");
        for (T t : items) {
            b.append(b.length() > 1 ? "," : "").append(each.apply(t));
        }
        return b.append(']').toString();
    }

    private static <V> String map(Map<String, V> m, Function<V, String> value) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(str(k)).append(':').append(value.apply(v)));
        return b.append('}').toString();
    }

    private static String time(Instant t) {
        return t == null ? "null" : String.valueOf(t.toEpochMilli());
    }

    private static String num(double d) {
        return Double.isFinite(d) ? String.valueOf(Math.round(d * 1000) / 1000.0) : "0";
    }

    /** A JSON string (null for null), escaped as RFC 8259 requires. */
    static String str(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
