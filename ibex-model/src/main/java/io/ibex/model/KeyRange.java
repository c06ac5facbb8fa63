package io.ibex.model;

import io.ibex.db.Sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The lowest and highest key of a slice of keys sorted on the source, so that a server can read a slice through
 * the key's index instead of joining its keys against the whole table. Only for keys whose types order the same
 * way on every server and whose COPY text is their literal: integers, numeric, uuid, date. (A text key sorts by
 * the collation, which may differ between source and target; such keys get no range, and the join is unbounded.)
 */
public record KeyRange(List<String> low, List<String> high) {

    private static final Set<String> ORDERED_TYPES = Set.of("smallint", "integer", "bigint", "numeric", "uuid", "date");
    private static final Set<String> INTEGER_TYPES = Set.of("smallint", "integer", "bigint");

    /** Whether slices of this table's keys may carry a range. */
    public static boolean supported(TableInfo t) {
        for (String type : t.keyTypes()) {
            String base = type.replaceAll("\\(.*\\)$", "");
            if (!ORDERED_TYPES.contains(base)) {
                return false;
            }
        }
        return true;
    }

    /** A range from the first and last COPY text line of a slice, or null if a value is not a plain literal. */
    public static KeyRange of(String firstLine, String lastLine, int keyColumns) {
        List<String> low = values(firstLine, keyColumns);
        List<String> high = values(lastLine, keyColumns);
        return low == null || high == null ? null : new KeyRange(low, high);
    }

    private static List<String> values(String line, int keyColumns) {
        String[] v = line.split("\t", -1);
        if (v.length != keyColumns) {
            return null;
        }
        for (String s : v) {
            if (s.isEmpty() || !s.matches("[0-9A-Za-z.:+-]+")) {
                return null; // NULL (\N), escapes or anything unexpected: no range
            }
        }
        return List.of(v);
    }

    /**
     * Whether this range holds exactly the given number of distinct keys of a table with one integer key column
     * and nothing else: then every integer from low to high is one of the keys, and the range itself can stand for
     * them (no list of keys to send, no join).
     */
    public boolean holdsExactly(TableInfo t, long keys) {
        if (t.keyColumns().size() != 1 || !INTEGER_TYPES.contains(t.keyTypes().get(0))) {
            return false;
        }
        try {
            return Math.subtractExact(Long.parseLong(high.get(0)), Long.parseLong(low.get(0))) == keys - 1;
        } catch (NumberFormatException | ArithmeticException e) {
            return false;
        }
    }

    /** "alias.key >= low AND alias.key <= high" (a row comparison for a composite key), the values typed. */
    public String predicate(String alias, TableInfo t) {
        List<String> cols = new ArrayList<>();
        List<String> lo = new ArrayList<>();
        List<String> hi = new ArrayList<>();
        for (int i = 0; i < t.keyColumns().size(); i++) {
            cols.add(alias + "." + Sql.ident(t.keyColumns().get(i)));
            lo.add(Sql.literal(low.get(i)) + "::" + t.keyTypes().get(i));
            hi.add(Sql.literal(high.get(i)) + "::" + t.keyTypes().get(i));
        }
        if (cols.size() == 1) {
            return cols.get(0) + " >= " + lo.get(0) + " AND " + cols.get(0) + " <= " + hi.get(0);
        }
        String row = "ROW(" + String.join(", ", cols) + ")";
        return row + " >= ROW(" + String.join(", ", lo) + ") AND " + row + " <= ROW(" + String.join(", ", hi) + ")";
    }
}
