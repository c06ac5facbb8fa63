package io.ibex.mariadb;

import io.ibex.spi.jdbc.Dialect;
import io.ibex.spi.jdbc.TypeMapping;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * MariaDB and MySQL: sessions as Bucardo's (ANSI quoting, UTC) plus strict values, so that a value the column
 * cannot hold is an error naming the column instead of a silent truncation.
 */
final class MariaDbDialect implements Dialect {

    static final TypeMapping TYPES = new TypeMapping(t -> type(t, false), t -> type(t, true));

    @Override
    public String kind() {
        return "MariaDB";
    }

    @Override
    public TypeMapping types() {
        return TYPES;
    }

    @Override
    public String columnsQuery() {
        return "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position";
    }

    @Override
    public void prepareSession(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET SESSION sql_mode = 'ANSI,STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO'");
            s.execute("SET SESSION time_zone = '+00:00'");
        }
    }

    @Override
    public String lockingRead() {
        return " LOCK IN SHARE MODE";
    }

    @Override
    public void holdOffChecks(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET SESSION foreign_key_checks = 0");
            s.execute("SET SESSION unique_checks = 0");
        }
    }

    /** A FLOAT read as DOUBLE: the text protocol prints a FLOAT rounded to 6 digits, a DOUBLE with every digit. */
    @Override
    public String readColumn(String quotedColumn, String pgType) {
        return TypeMapping.base(pgType).equals("real") ? "CAST(" + quotedColumn + " AS DOUBLE)" : quotedColumn;
    }

    @Override
    public String analyze(String quotedTable) {
        return "ANALYZE TABLE " + quotedTable;
    }

    /** The MariaDB type of a PostgreSQL type (see docs/other-targets.md). */
    static String type(String pgType, boolean key) {
        String mod = TypeMapping.modifier(pgType);
        return switch (TypeMapping.base(pgType)) {
            case "smallint" -> "SMALLINT";
            case "integer" -> "INT";
            case "bigint" -> "BIGINT";
            case "numeric" -> mod == null ? "DECIMAL(65,30)" : "DECIMAL(" + mod + ")";
            case "real" -> "FLOAT";
            case "double precision" -> "DOUBLE";
            case "boolean" -> "BOOLEAN";
            case "character varying" -> mod == null ? (key ? "VARCHAR(255)" : "LONGTEXT") : "VARCHAR(" + mod + ")";
            case "character" -> "CHAR(" + (mod == null ? "1" : mod) + ")";
            case "bytea" -> key ? "VARBINARY(255)" : "LONGBLOB";
            case "date" -> "DATE";
            case "time without time zone" -> "TIME(6)";
            case "timestamp without time zone", "timestamp with time zone" -> "DATETIME(6)";
            case "interval" -> "VARCHAR(100)";
            case "uuid" -> "CHAR(36)";
            default -> key ? "VARCHAR(255)" : "LONGTEXT"; // text, json, jsonb, arrays, enums: PostgreSQL's text
        };
    }
}
