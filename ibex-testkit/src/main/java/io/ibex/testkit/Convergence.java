package io.ibex.testkit;

import io.ibex.verify.TableDigest;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.fail;

/** The proof that databases converged: the same row count and content hash of every table, and a row diff when not. */
public final class Convergence {

    private Convergence() {
    }

    /** Digests of every table on every database, or null for a database that cannot be read right now. */
    public static Map<String, Map<String, TableDigest.Digest>> digestAll(List<String> tables, List<Db> dbs) {
        Map<String, Map<String, TableDigest.Digest>> all = new LinkedHashMap<>();
        for (Db d : dbs) {
            try {
                all.put(d.label(), d.digests(tables));
            } catch (SQLException | RuntimeException e) {
                all.put(d.label(), null);
            }
        }
        return all;
    }

    public static boolean allEqual(Map<String, Map<String, TableDigest.Digest>> all) {
        return !all.containsValue(null) && all.values().stream().distinct().count() == 1;
    }

    /**
     * Waits until every table has the same row count and content hash on every database; on timeout fails with
     * the digests and the first differing rows of each table that differs.
     */
    public static Duration awaitAllEqual(Duration timeout, List<String> tables, List<Db> dbs) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Map<String, Map<String, TableDigest.Digest>> all;
        while (true) {
            all = digestAll(tables, dbs);
            if (allEqual(all)) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(250);
        }
        StringBuilder msg = new StringBuilder("databases did not converge within " + timeout.toSeconds() + " s\n");
        all.forEach((db, d) -> msg.append("  ").append(db).append(": ").append(d).append('\n'));
        for (String t : tables) {
            for (int i = 1; i < dbs.size(); i++) {
                try {
                    msg.append(rowDiff(t, dbs.get(0), dbs.get(i), 15));
                } catch (SQLException e) {
                    msg.append("  (cannot diff ").append(t).append(": ").append(e.getMessage()).append(")\n");
                }
            }
        }
        System.out.println(msg);
        return fail(msg.toString());
    }

    /** {@link #awaitAllEqual}, with {@link Diagnostics#of} printed and attached when it fails. */
    public static Duration awaitAllEqual(Duration timeout, List<String> tables, List<Db> dbs, Db repository) throws Exception {
        try {
            return awaitAllEqual(timeout, tables, dbs);
        } catch (AssertionError e) {
            String d = Diagnostics.of(repository, dbs);
            System.out.println(d);
            throw new AssertionError(e.getMessage() + "\n" + d, e);
        }
    }

    /** The rows of a table that differ between two databases, by primary key (at most {@code limit} of them). */
    public static String rowDiff(String table, Db a, Db b, int limit) throws SQLException {
        Map<String, String> ra = rowsByKey(a, table);
        Map<String, String> rb = rowsByKey(b, table);
        TreeSet<String> keys = new TreeSet<>(ra.keySet());
        keys.addAll(rb.keySet());
        StringBuilder out = new StringBuilder();
        int n = 0;
        int total = 0;
        for (String k : keys) {
            if (!Objects.equals(ra.get(k), rb.get(k))) {
                total++;
                if (n++ < limit) {
                    out.append("    ").append(table).append(" key ").append(k).append(": ").append(a.label()).append('=')
                            .append(ra.get(k)).append("  ").append(b.label()).append('=').append(rb.get(k)).append('\n');
                }
            }
        }
        if (total == 0) {
            return "";
        }
        return "  " + table + ": " + total + " row(s) differ between " + a.label() + " (" + ra.size() + " rows) and " + b.label()
                + " (" + rb.size() + " rows)\n" + out;
    }

    private static Map<String, String> rowsByKey(Db d, String table) throws SQLException {
        Map<String, String> rows = new TreeMap<>();
        try (Connection c = d.connect()) {
            String[] parts = table.contains(".") ? table.split("\\.", 2) : new String[] {"public", table};
            List<String> pk = TableDigest.primaryKey(c, parts[0], parts[1]);
            String key = pk.isEmpty() ? "t::text" : "ROW(" + String.join(", ", pk.stream().map(k -> "t.\"" + k + "\"").toList()) + ")::text";
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + key + ", t::text FROM " + table + " t")) {
                while (rs.next()) {
                    rows.merge(rs.getString(1), rs.getString(2), (x, y) -> x + " AND DUPLICATE " + y);
                }
            }
        }
        return rows;
    }
}
