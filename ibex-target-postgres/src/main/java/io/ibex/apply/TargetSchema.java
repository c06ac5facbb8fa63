package io.ibex.apply;

import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.model.ColumnDef;
import io.ibex.model.TableInfo;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/** A PostgreSQL target's side of a schema change: its columns, a column added, a statement of 'ibex ddl' run. */
final class TargetSchema {

    /** What a statement run a second time fails with when its first run committed: the object is there, or gone. */
    private static final Set<String> ALREADY_DONE = Set.of("42701", "42P07", "42710", "42703", "42P01", "42704", "42P06", "3F000");

    private TargetSchema() {
    }

    static List<ColumnDef> columns(PostgresTarget target, TableInfo t) {
        Connection c = target.connection();
        try {
            String generated = Pg.serverVersion(c) >= 120000 ? " AND a.attgenerated = ''" : "";
            List<ColumnDef> cols = Pg.query(c, "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                    + "pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                    + "WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped" + generated + " ORDER BY a.attnum",
                    rs -> new ColumnDef(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4)), t.schema(), t.name());
            c.commit();
            return cols;
        } catch (SQLException e) {
            throw target.fail("cannot read the columns of " + t.qualifiedName(), e);
        }
    }

    static void addColumn(PostgresTarget target, TableInfo t, ColumnDef col) {
        String sql = "ALTER TABLE " + Sql.qualified(t.schema(), t.name()) + " ADD COLUMN " + Sql.ident(col.name()) + " " + col.type()
                + (col.defaultExpr() == null ? "" : " DEFAULT " + col.defaultExpr()) + (col.notNull() ? " NOT NULL" : "");
        try {
            Pg.exec(target.connection(), sql);
        } catch (SQLException e) {
            throw target.fail("cannot add column " + col.name() + " " + col.type() + " to " + t.qualifiedName(), e);
        }
    }

    static boolean execute(PostgresTarget target, String statement) {
        Connection c = target.connection();
        try {
            Pg.exec(c, "SAVEPOINT ibex_ddl");
            try {
                Pg.exec(c, statement);
            } catch (SQLException e) {
                if (!ALREADY_DONE.contains(e.getSQLState())) {
                    throw e;
                }
                Pg.exec(c, "ROLLBACK TO SAVEPOINT ibex_ddl");
                return false;
            }
            Pg.exec(c, "RELEASE SAVEPOINT ibex_ddl");
            return true;
        } catch (SQLException e) {
            throw target.fail("cannot run the schema change \"" + statement + "\"", e);
        }
    }
}
