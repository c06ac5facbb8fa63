package io.ibex.apply;

import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.db.Sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which columns a PostgreSQL target may UPDATE in place rather than delete and insert (see PostgresTarget.replaceRows). */
final class UpdatableColumns {

    private final Connection c;

    UpdatableColumns(Connection c) {
        this.c = c;
    }

    /**
     * For a plain table whose only unique or exclusion constraint is a unique index on exactly the key columns, and
     * that this role may UPDATE: the columns an UPDATE sets (those sent that are not key columns); otherwise null.
     * Looked up once per session.
     */
    List<String> forInPlace(TableInfo t) throws SQLException {
        String cacheKey = t.qualifiedName() + "\u0000" + String.join("\u0000", t.columnNames()); // a column added: looked up again
        if (updatable.containsKey(cacheKey)) {
            return updatable.get(cacheKey);
        }
        String rel = Sql.literal(Sql.qualified(t.schema(), t.name())) + "::regclass";
        List<Set<String>> unique = Pg.query(c, "SELECT i.indisunique AND NOT i.indisexclusion AND i.indpred IS NULL AND i.indexprs IS NULL, "
                + "ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)) "
                + "FROM pg_index i WHERE i.indrelid = " + rel + " AND (i.indisunique OR i.indisexclusion) "
                + "AND (SELECT relkind FROM pg_class WHERE oid = " + rel + ") = 'r'",
                rs -> rs.getBoolean(1) ? Set.of((String[]) rs.getArray(2).getArray()) : Set.of());
        List<String> set = null;
        // UPDATE is not among the privileges a target role needs (README): without it, the DELETE and the INSERT
        if (unique.size() == 1 && unique.get(0).equals(Set.copyOf(t.keyColumns()))
                && Pg.exists(c, "SELECT 1 WHERE has_table_privilege(" + rel + ", 'UPDATE')")) {
            set = t.columnNames().stream().filter(col -> !t.keyColumns().contains(col)).toList();
        }
        updatable.put(cacheKey, set);
        return set;
    }

    private final Map<String, List<String>> updatable = new HashMap<>();

    /** The columns an UPDATE of the table sets (every column sent but the key), or null if this role may not UPDATE it. */
    List<String> columnsToSet(TableInfo t) throws SQLException {
        String rel = Sql.literal(Sql.qualified(t.schema(), t.name())) + "::regclass";
        if (!Pg.exists(c, "SELECT 1 WHERE has_table_privilege(" + rel + ", 'UPDATE')")) {
            return null;
        }
        return t.columnNames().stream().filter(col -> !t.keyColumns().contains(col)).toList();
    }
}
