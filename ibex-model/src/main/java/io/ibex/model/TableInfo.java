package io.ibex.model;

import java.util.List;

/**
 * What ibex needs to know of a table on one database: its columns and the key it replicates by. selectList: null,
 * or the custom columns sent to one target ({@code ibex add customcols}): the select list read from the source
 * table, whose output columns are {@code columns}.
 */
public record TableInfo(String schema, String name, List<Column> columns, List<String> keyColumns, List<String> keyTypes,
                        String selectList) {

    public TableInfo(String schema, String name, List<Column> columns, List<String> keyColumns, List<String> keyTypes) {
        this(schema, name, columns, keyColumns, keyTypes, null);
    }

    public record Column(String name, String type) {
    }

    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }

    public String qualifiedName() {
        return schema + "." + name;
    }

    /** The table as sent through custom columns: the select list and its output columns. */
    public TableInfo withCustomColumns(String list, List<Column> output) {
        return new TableInfo(schema, name, List.copyOf(output), keyColumns, keyTypes, list);
    }
}
