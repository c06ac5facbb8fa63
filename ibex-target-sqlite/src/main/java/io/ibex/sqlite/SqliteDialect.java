package io.ibex.sqlite;

import io.ibex.spi.jdbc.Dialect;
import io.ibex.spi.jdbc.TypeMapping;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQLite: foreign keys deferred to the commit as Bucardo does (PRAGMA defer_foreign_keys), numeric kept as text so
 * that no digit is lost to SQLite's 8-byte floats, booleans as 1 and 0.
 */
final class SqliteDialect implements Dialect {

    static final TypeMapping TYPES = new TypeMapping(SqliteDialect::type, SqliteDialect::type);

    @Override
    public String kind() {
        return "SQLite";
    }

    @Override
    public TypeMapping types() {
        return TYPES;
    }

    @Override
    public String columnsQuery() {
        return "SELECT name FROM pragma_table_info(?) ORDER BY cid";
    }

    @Override
    public void prepareSession(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            s.execute("PRAGMA journal_mode = WAL"); // readers (verify) do not block the writer
        }
    }

    @Override
    public void holdOffChecks(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA defer_foreign_keys = 1");
        }
    }

    @Override
    public String rowListPrefix() {
        return "VALUES ";
    }

    @Override
    public String analyze(String quotedTable) {
        return "ANALYZE " + quotedTable;
    }

    @Override
    public Object bind(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return v;
    }

    /** The SQLite type (affinity) of a PostgreSQL type (see docs/other-targets.md). */
    static String type(String pgType) {
        return switch (TypeMapping.base(pgType)) {
            case "smallint", "integer", "bigint", "boolean" -> "INTEGER";
            case "real", "double precision" -> "REAL";
            case "bytea" -> "BLOB";
            default -> "TEXT"; // numeric too: SQLite's NUMERIC affinity would round to a double
        };
    }
}
