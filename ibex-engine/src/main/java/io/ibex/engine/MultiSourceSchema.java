package io.ibex.engine;

import io.ibex.model.ColumnDef;
import io.ibex.model.TableInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How one table's columns differ between the databases of a sync with several sources, and what follows (README,
 * "Schema changes"): nothing, columns to add on targets (a column every source has, the same way), or a hold of the
 * table alone, with its reason and its fix, each one line. Pure: MultiSourceGate reads the columns and acts.
 */
record MultiSourceSchema(List<ColumnDef> columns, Map<String, List<ColumnDef>> add, String reason, String fix) {

    boolean held() {
        return reason != null;
    }

    static MultiSourceSchema hold(String reason, String fix) {
        return new MultiSourceSchema(null, Map.of(), reason, fix);
    }

    /**
     * sources: each source's columns, in the sync's order (null: the table is gone there); targets: each target's
     * columns (null: a target that cannot describe them); canChange: the targets that can add a column.
     */
    static MultiSourceSchema of(String sync, String ddlMode, TableInfo planned, Map<String, List<ColumnDef>> sources,
                                Map<String, List<ColumnDef>> targets, Set<String> canChange) {
        String table = planned.qualifiedName();
        String sameWay = "make the same change on every source the same way (type, default, nullability), by hand or with 'ibex ddl "
                + sync + " \"SQL\"', then run 'ibex activate " + sync + "'";
        String firstName = sources.keySet().iterator().next();
        List<ColumnDef> first = sources.get(firstName);
        for (var s : sources.entrySet()) {
            if (s.getValue() == null) {
                return hold("table " + table + " is gone from database \"" + s.getKey() + "\" (dropped or renamed)",
                        "rename it back, or remove it from the sync ('ibex remove table " + table + "'), then run 'ibex activate " + sync + "'");
            }
        }
        for (String k : planned.keyColumns()) {
            if (first.stream().noneMatch(c -> c.name().equals(k))) {
                return hold("key column " + k + " of " + table + " is gone from database \"" + firstName + "\"",
                        "a table's key cannot change under a running sync: remove the table from the sync and add it again");
            }
        }
        for (var s : sources.entrySet()) {
            String diff = difference(table, firstName, first, s.getKey(), s.getValue());
            if (diff != null) {
                return hold(diff, sameWay);
            }
        }
        Map<String, List<ColumnDef>> add = new LinkedHashMap<>();
        for (var t : targets.entrySet()) {
            List<ColumnDef> there = t.getValue();
            if (there == null) {
                if (!SchemaDrift.same(planned, first)) {
                    return hold("the columns of " + table + " changed on the sources, and database \"" + t.getKey()
                            + "\" cannot follow schema changes", "make the same change there and run 'ibex activate " + sync + "'");
                }
                continue;
            }
            if (there.isEmpty()) {
                return hold("table " + table + " is missing on database \"" + t.getKey() + "\"", "create it there and run 'ibex activate " + sync + "'");
            }
            List<ColumnDef> missing = first.stream().filter(c -> there.stream().noneMatch(x -> x.name().equals(c.name()))).toList();
            if (missing.isEmpty()) {
                continue;
            }
            String cols = String.join(", ", missing.stream().map(c -> c.name() + " " + c.type()).toList());
            String fixThere = "add them on database \"" + t.getKey() + "\" yourself and run 'ibex activate " + sync + "'";
            for (ColumnDef c : missing) {
                for (var s : sources.entrySet()) {
                    ColumnDef d = s.getValue().stream().filter(x -> x.name().equals(c.name())).findFirst().orElseThrow();
                    if (d.notNull() != c.notNull() || !Objects.equals(d.defaultExpr(), c.defaultExpr())) {
                        return hold("column " + table + "." + c.name() + " was added on every source, but not the same way: "
                                + describe(c) + " on \"" + firstName + "\", " + describe(d) + " on \"" + s.getKey() + "\"", sameWay);
                    }
                }
                if (!c.constantDefault()) {
                    return hold("column " + table + "." + c.name() + " was added with a default that is not a constant (" + c.defaultExpr()
                            + "): each database gave its existing rows values of its own", fixThere + " once the values agree");
                }
            }
            if (!"auto".equals(ddlMode)) {
                return hold("column(s) " + cols + " of " + table + " added on every source (ddl=hold)",
                        fixThere + ", or 'ibex update sync " + sync + " ddl=auto'");
            }
            if (!canChange.contains(t.getKey())) {
                return hold("column(s) " + cols + " of " + table + " added on every source, and database \"" + t.getKey()
                        + "\" cannot follow schema changes", fixThere);
            }
            add.put(t.getKey(), missing);
        }
        return new MultiSourceSchema(first, add, null, null);
    }

    /** The first difference of b's columns from a's (names and types), as one line, or null. */
    private static String difference(String table, String aName, List<ColumnDef> a, String bName, List<ColumnDef> b) {
        for (ColumnDef c : a) {
            ColumnDef d = b.stream().filter(x -> x.name().equals(c.name())).findFirst().orElse(null);
            if (d == null) {
                return "column " + table + "." + c.name() + " " + c.type() + " is on database \"" + aName + "\" and not on \"" + bName + "\"";
            }
            if (!d.type().equals(c.type())) {
                return "column " + table + "." + c.name() + " is " + c.type() + " on database \"" + aName + "\" and " + d.type()
                        + " on \"" + bName + "\"";
            }
        }
        for (ColumnDef d : b) {
            if (a.stream().noneMatch(x -> x.name().equals(d.name()))) {
                return "column " + table + "." + d.name() + " " + d.type() + " is on database \"" + bName + "\" and not on \"" + aName + "\"";
            }
        }
        return null;
    }

    private static String describe(ColumnDef c) {
        List<String> parts = new ArrayList<>();
        parts.add(c.type());
        parts.add(c.defaultExpr() == null ? "no default" : "DEFAULT " + c.defaultExpr());
        parts.add(c.notNull() ? "NOT NULL" : "nullable");
        return String.join(" ", parts);
    }
}
