package io.ibex.verify;

import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Row count and MD5 of a table's contents, to compare a replication source with its target.
 *
 * <p>The table is streamed with {@code COPY (SELECT ...) TO STDOUT} into the digest, so memory stays bounded.
 * Columns are taken in alphabetical order of their names (a target may have them in another order), rows in the
 * order of the given (unique) columns. Session settings that change the text form of values are pinned for the
 * duration and restored afterwards, and float columns are digested as their IEEE bits, because 9.x and 12+ print
 * the same double differently even with the same {@code extra_float_digits}.
 */
public final class TableDigest {

    public record Digest(long rows, String md5) {
    }

    private record Column(String name, int typeOid, boolean collatable) {
    }

    private static final int FLOAT4_OID = 700;
    private static final int FLOAT8_OID = 701;

    private static final String[][] SETTINGS = CompareSession.SETTINGS;

    private TableDigest() {
    }

    /**
     * @param orderColumns columns that identify a row (normally the primary key); when empty, rows are ordered by
     *                     every column's text form, which is deterministic for any column type
     */
    public static Digest of(Connection c, String schema, String table, List<String> orderColumns) throws SQLException {
        List<Column> columns = columns(c, schema, table);
        String select = columns.stream().map(TableDigest::selectExpression).collect(Collectors.joining(", "));
        String orderBy;
        if (orderColumns.isEmpty()) {
            orderBy = columns.stream().map(col -> "(" + selectExpression(col) + ")::text COLLATE \"C\"")
                    .collect(Collectors.joining(", "));
        } else {
            Map<String, Column> byName = columns.stream()
                    .collect(Collectors.toMap(Column::name, col -> col));
            List<String> keys = new ArrayList<>();
            for (String name : orderColumns) {
                Column col = byName.get(name);
                if (col == null) {
                    throw new IllegalArgumentException("no column " + name + " in " + schema + "." + table);
                }
                keys.add(quoteIdent(name) + (col.collatable() ? " COLLATE \"C\"" : ""));
            }
            orderBy = String.join(", ", keys);
        }
        String copy = "COPY (SELECT " + select + " FROM ONLY " + quoteIdent(schema) + "." + quoteIdent(table)
                + " ORDER BY " + orderBy + ") TO STDOUT";

        Map<String, String> saved = pinSettings(c);
        Digest digest;
        try {
            MessageDigest md5 = md5();
            long rows;
            try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), md5)) {
                rows = c.unwrap(PGConnection.class).getCopyAPI().copyOut(copy, out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            digest = new Digest(rows, HexFormat.of().formatHex(md5.digest()));
        } catch (SQLException | RuntimeException e) {
            try {
                restoreSettings(c, saved);
            } catch (SQLException inAbortedTransaction) {
                e.addSuppressed(inAbortedTransaction);
            }
            throw e;
        }
        restoreSettings(c, saved);
        return digest;
    }

    /** Digests of {@code schema.table} names (quoted or not; no schema means public), ordered by primary key. */
    public static Map<String, Digest> ofAll(Connection c, List<String> qualifiedTables) throws SQLException {
        Map<String, Digest> digests = new LinkedHashMap<>();
        for (String qualified : qualifiedTables) {
            List<String> parts = QualifiedName.parse(qualified);
            String schema = parts.size() == 2 ? parts.get(0) : "public";
            String table = parts.get(parts.size() - 1);
            digests.put(qualified, of(c, schema, table, primaryKey(c, schema, table)));
        }
        return digests;
    }

    /** The primary key columns in key order; empty if the table has none. */
    public static List<String> primaryKey(Connection c, String schema, String table) throws SQLException {
        // int2vector subscripts start at 0; generate_series keeps this working on 9.3 (no WITH ORDINALITY)
        String sql = "SELECT a.attname FROM pg_catalog.pg_index i"
                + " JOIN pg_catalog.pg_class t ON t.oid = i.indrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace"
                + " CROSS JOIN generate_series(0, i.indnatts - 1) AS k"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[k]"
                + " WHERE i.indisprimary AND n.nspname = ? AND t.relname = ? ORDER BY k";
        List<String> key = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                }
            }
        }
        return key;
    }

    private static List<Column> columns(Connection c, String schema, String table) throws SQLException {
        String sql = "SELECT a.attname, a.atttypid, a.attcollation <> 0 FROM pg_catalog.pg_attribute a"
                + " JOIN pg_catalog.pg_class t ON t.oid = a.attrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace"
                + " WHERE n.nspname = ? AND t.relname = ? AND a.attnum > 0 AND NOT a.attisdropped";
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new Column(rs.getString(1), rs.getInt(2), rs.getBoolean(3)));
                }
            }
        }
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("no table (or no columns) " + schema + "." + table);
        }
        columns.sort(Comparator.comparing(Column::name));
        return columns;
    }

    private static String selectExpression(Column col) {
        String name = quoteIdent(col.name());
        return switch (col.typeOid()) {
            case FLOAT4_OID -> "encode(float4send(" + name + "), 'hex')";
            case FLOAT8_OID -> "encode(float8send(" + name + "), 'hex')";
            default -> name;
        };
    }

    private static Map<String, String> pinSettings(Connection c) throws SQLException {
        Map<String, String> saved = new LinkedHashMap<>();
        boolean hasByteaOutput = c.getMetaData().getDatabaseMajorVersion() >= 9;
        try (Statement s = c.createStatement()) {
            for (String[] setting : SETTINGS) {
                if (setting[0].equals("bytea_output") && !hasByteaOutput) {
                    continue;
                }
                try (ResultSet rs = s.executeQuery("SELECT pg_catalog.current_setting('" + setting[0] + "')")) {
                    rs.next();
                    saved.put(setting[0], rs.getString(1));
                }
                set(s, setting[0], setting[1]);
            }
        }
        return saved;
    }

    private static void restoreSettings(Connection c, Map<String, String> saved) throws SQLException {
        if (c.isClosed()) {
            return;
        }
        try (Statement s = c.createStatement()) {
            for (Map.Entry<String, String> e : saved.entrySet()) {
                set(s, e.getKey(), e.getValue());
            }
        }
    }

    private static void set(Statement s, String name, String value) throws SQLException {
        s.execute("SET " + quoteIdent(name.toLowerCase()) + " = '" + value.replace("'", "''") + "'");
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
