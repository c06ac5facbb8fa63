package io.ibex.capture;

import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.model.ColumnDef;
import io.ibex.model.TableInfo;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of several tables with one catalog query (9.3 and later), as the caller's transaction sees them: in a
 * batch's REPEATABLE READ read, the catalog as of the batch's snapshot. Generated columns are left out, as everywhere.
 */
final class SourceColumns {

    private SourceColumns() {
    }

    static Map<String, List<ColumnDef>> read(Connection c, List<TableInfo> tables) throws SQLException {
        Map<String, List<ColumnDef>> out = new LinkedHashMap<>();
        if (tables.isEmpty()) {
            return out;
        }
        List<String> names = new ArrayList<>();
        for (TableInfo t : tables) {
            names.add("(" + Sql.literal(t.schema()) + ", " + Sql.literal(t.name()) + ")");
        }
        String generated = Pg.serverVersion(c) >= 120000 ? " AND a.attgenerated = ''" : "";
        String sql = "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                + "pg_get_expr(d.adbin, d.adrelid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "JOIN pg_attribute a ON a.attrelid = c.oid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                + "WHERE (n.nspname, c.relname) IN (" + String.join(", ", names) + ") AND a.attnum > 0 AND NOT a.attisdropped"
                + generated + " ORDER BY n.nspname, c.relname, a.attnum";
        for (Object[] row : Pg.query(c, sql, rs -> new Object[] {rs.getString(1) + "." + rs.getString(2),
                new ColumnDef(rs.getString(3), rs.getString(4), rs.getBoolean(5), rs.getString(6))})) {
            out.computeIfAbsent((String) row[0], k -> new ArrayList<>()).add((ColumnDef) row[1]);
        }
        return out;
    }
}
