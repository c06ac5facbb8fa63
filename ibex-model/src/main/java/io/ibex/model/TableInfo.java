package io.ibex.model;

import java.util.List;

/** What ibex needs to know of a table on one database: its columns and the key it replicates by. */
public record TableInfo(String schema, String name, List<Column> columns, List<String> keyColumns, List<String> keyTypes) {

    public record Column(String name, String type) {
    }

    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }

    public String qualifiedName() {
        return schema + "." + name;
    }
}
