package io.ibex.model;

import java.util.List;

/** A table or sequence of one database ({@code ibex add table}); keyColumns is empty for a table without a key. */
public record Relation(long id, String db, String schema, String name, String type,
                       List<String> keyColumns, List<String> keyTypes, Boolean autokick, Boolean makedelta,
                       Integer rebuildIndex, Boolean analyzeAfterCopy) {

    public String qualifiedName() {
        return schema + "." + name;
    }

    public boolean isSequence() {
        return "sequence".equals(type);
    }

    public boolean hasKey() {
        return !keyColumns.isEmpty();
    }
}
