package io.ibex.verify;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * The table to compare: its schema and name (as stored in the catalogs, not quoted), the columns that identify a row
 * in key order (unique and NOT NULL on the source, normally the primary key), and the columns to compare, in an order
 * both sides share. Key columns not listed in {@code columns} are still used to find rows, just not compared.
 * sourceSelect: null, or the select list over the source table whose output is compared with the target's columns
 * (custom columns: a subset, or expressions); it must output the key columns.
 */
public record ComparedTable(String schema, String table, List<String> keyColumns, List<String> columns, String sourceSelect) {

    public ComparedTable(String schema, String table, List<String> keyColumns, List<String> columns) {
        this(schema, table, keyColumns, columns, null);
    }

    public ComparedTable {
        if (schema == null || schema.isEmpty() || table == null || table.isEmpty()) {
            throw new IllegalArgumentException("schema and table are required");
        }
        String name = Sql.ident(schema) + "." + Sql.ident(table);
        keyColumns = List.copyOf(keyColumns);
        columns = List.copyOf(columns);
        if (keyColumns.isEmpty()) {
            throw new IllegalArgumentException("no key columns for " + name);
        }
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("no columns to compare for " + name);
        }
        if (new LinkedHashSet<>(keyColumns).size() != keyColumns.size()
                || new LinkedHashSet<>(columns).size() != columns.size()) {
            throw new IllegalArgumentException("duplicate column names for " + name);
        }
    }

    /** {@code "schema"."table"}, quoted for SQL. */
    public String qualifiedName() {
        return Sql.ident(schema) + "." + Sql.ident(table);
    }
}
