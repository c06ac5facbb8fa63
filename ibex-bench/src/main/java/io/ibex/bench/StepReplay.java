package io.ibex.bench;

import io.ibex.capture.CaptureInstaller;
import io.ibex.catalog.SourceCatalog;
import io.ibex.capture.SourceSession;
import io.ibex.model.TableInfo;
import io.ibex.capture.TxidSnapshotPosition;
import io.ibex.db.Pg;
import io.ibex.spi.ChangeWindow;
import org.postgresql.PGConnection;

import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One batch of a sync done by hand, step by step, with the statements ibex uses (SourceSession for the source
 * side, the SQL of PostgresTarget for the target side), each step timed on its own: what a catch-up spends where.
 * Runs while the sync is paused; the target transaction is committed (the sync re-applies the same rows when it is
 * resumed, which changes nothing).
 */
final class StepReplay {
    private StepReplay() {
    }

    static String run(Connection src, Connection dst, String previousPosition, String sync, String schema, String table)
            throws Exception {
        Map<String, Double> steps = new LinkedHashMap<>();
        List<String> plans = new ArrayList<>();
        Pg.useStableTextFormat(src);
        Pg.useStableTextFormat(dst);
        long t = System.nanoTime();
        try (SourceSession session = SourceSession.begin(src)) {
            TableInfo info = SourceCatalog.table(src, schema, table).orElseThrow();
            ChangeWindow w = new ChangeWindow(new TxidSnapshotPosition(previousPosition), session.position(),
                    CaptureInstaller.APPLICATION_PREFIX + sync);
            t = lap(steps, "source: begin REPEATABLE READ, snapshot, table info", t);
            session.changeCounts(java.util.List.of(info), w, 1);
            session.truncatedTables(w);
            t = lap(steps, "source: which tables changed? truncated? (2 queries)", t);
            String keys = session.changedKeys(info, w);
            try (Statement s = src.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN SELECT " + String.join(", ", quoted(info.columnNames()))
                    + " FROM ONLY " + schema + "." + table + " WHERE " + key(info) + " IN (" + keys + ")")) {
                while (rs.next()) {
                    plans.add(rs.getString(1));
                }
            }
            t = System.nanoTime();
            long keyBytes = drain(session.keys(info, w));
            t = lap(steps, "source alone: changed keys, COPY (SELECT DISTINCT key FROM change table ...) to nowhere", t);
            long rowBytes = drain(session.rows(info, w));
            t = lap(steps, "source alone: changed rows, COPY (SELECT ... WHERE key IN (SELECT DISTINCT ...)) to nowhere", t);

            dst.setAutoCommit(false);
            Pg.exec(dst, "SET LOCAL session_replication_role = replica");
            Pg.exec(dst, "CREATE TEMPORARY TABLE ibex_bench_keys (" + key(info) + " " + info.keyTypes().get(0) + ") ON COMMIT DROP");
            var copy = dst.unwrap(PGConnection.class).getCopyAPI();
            t = System.nanoTime();
            copy.copyIn("COPY ibex_bench_keys FROM STDIN", session.keys(info, w));
            t = lap(steps, "pipe: changed keys from the source into a temporary table on the target", t);
            long deleted;
            try (Statement s = dst.createStatement()) {
                deleted = s.executeUpdate("DELETE FROM ONLY " + schema + "." + table + " t USING ibex_bench_keys k WHERE t."
                        + key(info) + " = k." + key(info));
            }
            t = lap(steps, "target: DELETE ... USING the temporary table (" + deleted + " rows)", t);
            long inserted = copy.copyIn("COPY " + schema + "." + table + " (" + String.join(", ", quoted(info.columnNames()))
                    + ") FROM STDIN", session.rows(info, w));
            t = lap(steps, "pipe: changed rows from the source into the target table (" + inserted + " rows, into the index"
                    + " that still holds the deleted rows' entries)", t);
            dst.commit();
            t = lap(steps, "target: COMMIT", t);
            dst.setAutoCommit(true);
            StringBuilder sb = new StringBuilder();
            double total = steps.values().stream().mapToDouble(Double::doubleValue).sum();
            sb.append(String.format(Locale.ROOT, "One batch of %s.%s replayed step by step (%,d key bytes, %,d row bytes); the two"
                    + " 'source alone' reads are extra, to see the source's share:%n%n", schema, table, keyBytes, rowBytes));
            steps.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "* %6.2f s  %s%n", v, k)));
            sb.append(String.format(Locale.ROOT, "* %6.2f s  total%n%nPlan of the source's row query:%n%n", total));
            sb.append("```\n");
            plans.forEach(p -> sb.append(p).append("\n"));
            sb.append("```\n");
            return sb.toString();
        } finally {
            Pg.rollbackQuietly(dst);
            dst.setAutoCommit(true);
        }
    }

    private static String key(TableInfo info) {
        if (info.keyColumns().size() != 1) {
            throw new IllegalArgumentException("the replay handles one-column keys");
        }
        return "\"" + info.keyColumns().get(0) + "\"";
    }

    private static List<String> quoted(List<String> names) {
        return names.stream().map(n -> "\"" + n + "\"").toList();
    }

    private static long drain(InputStream in) throws Exception {
        try (in; OutputStream out = OutputStream.nullOutputStream()) {
            return in.transferTo(out);
        }
    }

    private static long lap(Map<String, Double> steps, String what, long since) {
        long now = System.nanoTime();
        steps.put(what, (now - since) / 1e9);
        return now;
    }
}
