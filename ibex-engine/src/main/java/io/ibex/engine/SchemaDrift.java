package io.ibex.engine;

import io.ibex.model.ColumnDef;
import io.ibex.model.TableInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a table's columns on the source (at a batch's snapshot) differ from the target's, and what follows: nothing,
 * columns to add on the target, or a hold with its reason and its fix, each one line (README, "Schema changes").
 */
record SchemaDrift(List<ColumnDef> add, String reason, String fix) {

    static final SchemaDrift NONE = new SchemaDrift(List.of(), null, null);

    boolean held() {
        return reason != null;
    }

    static SchemaDrift hold(String reason, String fix) {
        return new SchemaDrift(List.of(), reason, fix);
    }

    /**
     * The drift of one table. planned: its shape as last applied (columns and key); source: its columns on the source
     * (null: the table is gone); sourceKey: its replication key there now (null: not looked up); target: its columns
     * on the target. Only what changed on the source since the shape counts (a target may have columns of its own, or
     * other types, as before).
     */
    static SchemaDrift of(String sync, String targetDb, TableInfo planned, List<ColumnDef> source, List<String> sourceKey,
                          List<ColumnDef> target) {
        String table = planned.qualifiedName();
        String twoWays = "either run it through 'ibex ddl " + sync + " \"SQL\"' (undo it on the source first), or make the same change on "
                + "database \"" + targetDb + "\" and run 'ibex activate " + sync + "'";
        if (source == null) {
            return hold("table " + table + " is gone from the source (dropped or renamed)",
                    "rename it back, or remove it from the sync ('ibex remove table " + table + "')");
        }
        if (target.isEmpty()) {
            return hold("table " + table + " is missing on database \"" + targetDb + "\"", "create it there and run 'ibex activate " + sync + "'");
        }
        Map<String, ColumnDef> src = byName(source);
        Map<String, ColumnDef> tgt = byName(target);
        for (int i = 0; i < planned.keyColumns().size(); i++) {
            String k = planned.keyColumns().get(i);
            ColumnDef now = src.get(k);
            if (now == null || !now.type().equals(planned.keyTypes().get(i))) {
                return hold("key column " + k + " of " + table + (now == null ? " is gone from the source" : " changed type to " + now.type()),
                        "a table's key cannot change under a running sync: remove the table from the sync and add it again");
            }
        }
        if (sourceKey != null && !sourceKey.isEmpty() && !sourceKey.equals(planned.keyColumns())) {
            return hold("the key of " + table + " changed from (" + String.join(", ", planned.keyColumns()) + ") to ("
                    + String.join(", ", sourceKey) + ") on the source",
                    "a table's key cannot change under a running sync: remove the table from the sync and add it again");
        }
        List<ColumnDef> added = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        Map<String, String> knownTypes = new LinkedHashMap<>();
        planned.columns().forEach(c -> knownTypes.put(c.name(), c.type()));
        for (ColumnDef s : source) {
            String was = knownTypes.get(s.name());
            ColumnDef there = tgt.get(s.name());
            if (was != null && !was.equals(s.type()) && (there == null || !there.type().equals(s.type()))) { // not followed yet
                return hold("column " + table + "." + s.name() + " changed type on the source from " + was + " to " + s.type(), twoWays);
            }
            if (!tgt.containsKey(s.name())) {
                added.add(s);
            }
        }
        for (String k : knownTypes.keySet()) {
            if (!src.containsKey(k) && tgt.containsKey(k)) {
                gone.add(k);
            }
        }
        if (!added.isEmpty() && !gone.isEmpty()) {
            return hold("column(s) " + String.join(", ", gone) + " of " + table + " are gone from the source and "
                    + String.join(", ", added.stream().map(ColumnDef::name).toList()) + " are new (a rename?)", twoWays);
        }
        for (String g : gone) {
            ColumnDef t = tgt.get(g);
            if (t.notNull() && t.defaultExpr() == null) {
                return hold("column " + table + "." + g + " was dropped on the source; on database \"" + targetDb
                        + "\" it is NOT NULL without a default, so no new row can be written", "drop it there too (or give it a default, or "
                        + "let it be NULL) and run 'ibex activate " + sync + "', or run the drop through 'ibex ddl'");
            }
        }
        return added.isEmpty() ? NONE : new SchemaDrift(added, null, null);
    }

    /** The columns as the apply sends them: the source's, in its order. */
    static TableInfo shape(TableInfo planned, List<ColumnDef> source) {
        List<TableInfo.Column> cols = source.stream().map(c -> new TableInfo.Column(c.name(), c.type())).toList();
        return new TableInfo(planned.schema(), planned.name(), cols, planned.keyColumns(), planned.keyTypes());
    }

    /** Whether the source's columns are those of the shape (names and types, in order). */
    static boolean same(TableInfo shape, List<ColumnDef> source) {
        if (source == null || source.size() != shape.columns().size()) {
            return false;
        }
        for (int i = 0; i < source.size(); i++) {
            TableInfo.Column c = shape.columns().get(i);
            if (!c.name().equals(source.get(i).name()) || !c.type().equals(source.get(i).type())) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, ColumnDef> byName(List<ColumnDef> cols) {
        Map<String, ColumnDef> m = new LinkedHashMap<>();
        cols.forEach(c -> m.put(c.name(), c));
        return m;
    }
}
