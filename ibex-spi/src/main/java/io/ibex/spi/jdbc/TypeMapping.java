package io.ibex.spi.jdbc;

import io.ibex.model.TableInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The column type a target gives a PostgreSQL column (its type as format_type names it), used for the CREATE TABLE
 * that ibex prints when a target lacks a table. See docs/other-targets.md for the table of every common type.
 */
public record TypeMapping(Function<String, String> forColumn, Function<String, String> forKey) {

    /** A PostgreSQL type without its modifier and in lower case: "numeric(10,2)" is numeric; an array stays "integer[]". */
    public static String base(String pgType) {
        String t = pgType.toLowerCase(Locale.ROOT).trim();
        if (t.endsWith("[]")) {
            return "array";
        }
        return t.replaceAll("\\([^)]*\\)", "").replaceAll("\\s+", " ").trim();
    }

    /** The modifier of a type, "10,2" for numeric(10,2); null if none. */
    public static String modifier(String pgType) {
        int open = pgType.indexOf('(');
        int close = pgType.indexOf(')', open + 1);
        return open < 0 || close < 0 || pgType.endsWith("[]") ? null : pgType.substring(open + 1, close).trim();
    }

    public String columnType(String pgType, boolean key) {
        return key ? forKey.apply(pgType) : forColumn.apply(pgType);
    }

    /** CREATE TABLE of the source table on this kind of target, with its primary key. */
    public String createTable(Dialect d, TableInfo t) {
        List<String> cols = new ArrayList<>();
        for (TableInfo.Column c : t.columns()) {
            boolean key = t.keyColumns().contains(c.name());
            cols.add(d.quote(c.name()) + " " + columnType(c.type(), key) + (key ? " NOT NULL" : ""));
        }
        if (!t.keyColumns().isEmpty()) {
            cols.add("PRIMARY KEY (" + String.join(", ", t.keyColumns().stream().map(d::quote).toList()) + ")");
        }
        return "CREATE TABLE " + d.quote(t.name()) + " (" + String.join(", ", cols) + ")";
    }
}
