package io.ibex.catalog;

import io.ibex.model.TableInfo;
import io.ibex.db.Pg;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads tables, sequences, columns and keys from a PostgreSQL database's catalog; every query runs on PostgreSQL 8.4 and later. */
public final class SourceCatalog {
    private SourceCatalog() {
    }

    /** The system's schemas and ibex's own (its repository, and ibex_capture on a captured source). */
    static final String SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'ibex_capture', 'ibex')";

    public record Rel(String schema, String name, String kind) {
        public boolean isSequence() {
            return "S".equals(kind);
        }
    }

    /**
     * Tables ("r") or sequences ("S") whose schema and name match LIKE patterns (% wildcards); a null schema
     * pattern matches every schema but the system ones and ibex's own.
     */
    public static List<Rel> find(Connection c, String schemaPattern, String namePattern, boolean sequences) throws SQLException {
        String sql = "SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE c.relkind IN (" + (sequences ? "'S'" : "'r', 'p'") + ") AND n.nspname NOT IN " + SYSTEM_SCHEMAS
                + " AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname LIKE ? AND c.relname LIKE ? ORDER BY 1, 2";
        return Pg.query(c, sql, rs -> new Rel(rs.getString(1), rs.getString(2), rs.getString(3)),
                schemaPattern == null ? "%" : schemaPattern, namePattern);
    }

    public static Optional<Rel> relation(Connection c, String schema, String name) throws SQLException {
        return Pg.query(c, "SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname = ? AND c.relname = ?", rs -> new Rel(rs.getString(1), rs.getString(2), rs.getString(3)),
                schema, name).stream().findFirst();
    }

    /** Columns in their order on this database, without dropped and generated ones. */
    public static List<TableInfo.Column> columns(Connection c, String schema, String table) throws SQLException {
        String generated = Pg.serverVersion(c) >= 120000 ? " AND a.attgenerated = ''" : "";
        return Pg.query(c, "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                        + "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped" + generated
                        + " ORDER BY a.attnum", rs -> new TableInfo.Column(rs.getString(1), rs.getString(2)), schema, table);
    }

    /**
     * The replication key: the primary key, or else the unique index with the fewest columns that is neither
     * partial nor on expressions and whose columns are all NOT NULL (as Bucardo chooses). Empty if there is none.
     */
    public static List<TableInfo.Column> key(Connection c, String schema, String table) throws SQLException {
        List<Long> indexes = Pg.query(c, "SELECT i.indexrelid::bigint FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ? AND i.indisunique "
                + "AND i.indpred IS NULL AND i.indexprs IS NULL ORDER BY i.indisprimary DESC, i.indnatts, i.indexrelid",
                rs -> rs.getLong(1), schema, table);
        String keyCount = Pg.serverVersion(c) >= 110000 ? "i.indnkeyatts" : "i.indnatts";
        for (long index : indexes) {
            List<Object[]> cols = Pg.query(c, "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull "
                    + "FROM pg_index i JOIN generate_series(0, 31) k(n) ON k.n < " + keyCount + " "
                    + "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n] "
                    + "WHERE i.indexrelid::bigint = ? ORDER BY k.n", rs -> new Object[]{rs.getString(1), rs.getString(2), rs.getBoolean(3)}, index);
            if (cols.stream().allMatch(r -> (Boolean) r[2])) {
                List<TableInfo.Column> out = new ArrayList<>();
                for (Object[] r : cols) {
                    out.add(new TableInfo.Column((String) r[0], (String) r[1]));
                }
                return out;
            }
        }
        return List.of();
    }

    public static Optional<TableInfo> table(Connection c, String schema, String table) throws SQLException {
        if (relation(c, schema, table).isEmpty()) {
            return Optional.empty();
        }
        List<TableInfo.Column> key = key(c, schema, table);
        return Optional.of(new TableInfo(schema, table, columns(c, schema, table),
                key.stream().map(TableInfo.Column::name).toList(), key.stream().map(TableInfo.Column::type).toList()));
    }
}
