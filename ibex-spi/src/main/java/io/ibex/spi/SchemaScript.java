package io.ibex.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The statements that create a source's tables on an empty target, in the source's SQL (PostgreSQL), in the order
 * pg_restore uses: {@code create} (schemas, sequences, tables with their defaults, NOT NULL, checks and comments) runs
 * before the rows, in one transaction; {@code indexes} (each table's primary key, unique constraints and indexes, by
 * table: tables can be built in parallel) once the table's rows are in; {@code foreignKeys} last.
 */
public record SchemaScript(List<String> create, Map<String, List<String>> indexes, List<String> foreignKeys) {

    public SchemaScript {
        create = List.copyOf(create);
        indexes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(indexes));
        foreignKeys = List.copyOf(foreignKeys);
    }

    public static SchemaScript empty() {
        return new SchemaScript(List.of(), Map.of(), List.of());
    }

    public boolean isEmpty() {
        return create.isEmpty() && indexes.isEmpty() && foreignKeys.isEmpty();
    }

    /** Every statement in the order it runs. */
    public List<String> all() {
        List<String> out = new ArrayList<>(create);
        indexes.values().forEach(out::addAll);
        out.addAll(foreignKeys);
        return out;
    }
}
