package io.ibex.verify;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The queries a compare runs against one side, built from that side's catalog (its column types may be spelled or
 * numbered differently from the other side's).
 *
 * <p>Each row is hashed as {@code md5} of the UTF-8 bytes of {@code ROW(col, ...)::text}: the record text form keeps
 * NULL (empty) apart from an empty string ({@code ""}), and session settings are pinned by {@link CompareSession}.
 * float4/float8 (and their arrays) are hashed as their IEEE bits ({@code float8send}) because 9.x and 12+ print the
 * same double differently. Keys are ordered with {@code COLLATE "C"} on collatable columns, so both servers agree on
 * what lies in a range.
 */
final class TableSql {
    private static final int FLOAT4 = 700;
    private static final int FLOAT8 = 701;
    private static final int FLOAT4_ARRAY = 1021;
    private static final int FLOAT8_ARRAY = 1022;
    private static final int FETCH_SIZE = 1000;

    record Column(String name, int typeOid, String typeName, boolean collatable, boolean notNull) {
    }

    /** One row of a range: key values as text (for people), key identity and row hash (for comparing). */
    record Row(List<String> key, String identity, String hash) {
    }

    /** Count and hash of the rows of a range. */
    record RangeHash(long rows, String hash) {
    }

    private final CompareSession session;
    private final ComparedTable table;
    private final List<Column> keys;
    private final List<Column> columns;
    /** The source's custom columns (a select list over the table), or null: the table itself. */
    private final String derived;

    private TableSql(CompareSession session, ComparedTable table, List<Column> keys, List<Column> columns, String derived) {
        this.derived = derived;
        this.session = session;
        this.table = table;
        this.keys = keys;
        this.columns = columns;
    }

    /** Reads the column types; {@code requireNotNullKeys} for the source, whose keys define the ranges. */
    static TableSql load(CompareSession session, ComparedTable table, boolean requireNotNullKeys, String side)
            throws SQLException {
        Map<String, Column> byName = catalogColumns(session, table);
        if (byName.isEmpty()) {
            throw new IllegalArgumentException("no table " + table.qualifiedName() + " on the " + side);
        }
        List<Column> keys = pick(byName, table.keyColumns(), table, side);
        String derived = requireNotNullKeys ? table.sourceSelect() : null;
        List<Column> columns = pick(derived == null ? byName : outputColumns(session, table, derived), table.columns(), table, side);
        if (requireNotNullKeys) {
            for (Column k : keys) {
                if (!k.notNull()) {
                    throw new IllegalArgumentException("key column " + k.name() + " of " + table.qualifiedName()
                            + " allows NULL on the " + side + "; a compare key must be NOT NULL");
                }
            }
        }
        return new TableSql(session, table, keys, columns, derived);
    }

    /** The output columns of the source's select list, typed as the source describes them. */
    private static Map<String, Column> outputColumns(CompareSession session, ComparedTable table, String select) throws SQLException {
        Map<String, Column> columns = new HashMap<>();
        try (PreparedStatement ps = session.connection().prepareStatement("SELECT " + select + " FROM ONLY " + table.qualifiedName() + " LIMIT 0");
             ResultSet rs = ps.executeQuery()) {
            var meta = rs.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                String type = meta.getColumnTypeName(i);
                int oid = switch (type) {
                    case "float4" -> FLOAT4;
                    case "float8" -> FLOAT8;
                    case "_float4" -> FLOAT4_ARRAY;
                    case "_float8" -> FLOAT8_ARRAY;
                    default -> 0;
                };
                columns.put(meta.getColumnLabel(i), new Column(meta.getColumnLabel(i), oid, type, false, false));
            }
        }
        return columns;
    }

    private static Map<String, Column> catalogColumns(CompareSession session, ComparedTable table)
            throws SQLException {
        String collatable = session.serverVersion() >= 90100 ? "a.attcollation <> 0" : "false";
        String sql = "SELECT a.attname, a.atttypid, pg_catalog.format_type(a.atttypid, a.atttypmod), " + collatable
                + ", a.attnotnull FROM pg_catalog.pg_attribute a"
                + " JOIN pg_catalog.pg_class t ON t.oid = a.attrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace"
                + " WHERE n.nspname = ? AND t.relname = ? AND a.attnum > 0 AND NOT a.attisdropped";
        Map<String, Column> columns = new HashMap<>();
        try (PreparedStatement ps = session.connection().prepareStatement(sql)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Column c = new Column(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getBoolean(4),
                            rs.getBoolean(5));
                    columns.put(c.name(), c);
                }
            }
        }
        return columns;
    }

    private static List<Column> pick(Map<String, Column> byName, List<String> names, ComparedTable table,
                                     String side) {
        List<Column> picked = new ArrayList<>();
        for (String name : names) {
            Column c = byName.get(name);
            if (c == null) {
                throw new IllegalArgumentException("no column " + name + " in " + table.qualifiedName() + " on the "
                        + side);
            }
            picked.add(c);
        }
        return picked;
    }

    /** The planner's row estimate (0 when never analyzed). */
    long estimatedRows() throws SQLException {
        String sql = "SELECT GREATEST(t.reltuples, 0)::bigint FROM pg_catalog.pg_class t"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = ? AND t.relname = ?";
        try (PreparedStatement ps = session.connection().prepareStatement(sql)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /**
     * The key of the {@code rows}-th row after {@code lower} (null: from the start), or null when fewer rows are
     * left: the upper end of the next range.
     */
    List<String> boundAfter(List<String> lower, int rows) throws SQLException {
        KeyRange range = new KeyRange(lower, null);
        String sql = "SELECT " + keyText() + from() + where(range)
                + " ORDER BY " + orderBy() + " LIMIT 1 OFFSET " + (rows - 1);
        try (PreparedStatement ps = session.connection().prepareStatement(sql)) {
            bind(ps, range);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? keyValues(rs) : null;
            }
        }
    }

    RangeHash hash(KeyRange range) throws SQLException {
        String sql = "SELECT count(*), pg_catalog.md5(pg_catalog.string_agg(" + rowHash() + ", '' ORDER BY "
                + orderBy() + "))" + from() + where(range);
        try (PreparedStatement ps = session.connection().prepareStatement(sql)) {
            bind(ps, range);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new RangeHash(rs.getLong(1), rs.getString(2));
            }
        }
    }

    /** Streams the rows of a range in key order (a cursor: the session is in a transaction). */
    void forEachRow(KeyRange range, Consumer<Row> consumer) throws SQLException {
        String sql = "SELECT " + keyText() + ", ROW(" + normalized(keys) + ")::text, " + rowHash()
                + from() + where(range) + " ORDER BY " + orderBy();
        try (PreparedStatement ps = session.connection().prepareStatement(sql)) {
            ps.setFetchSize(FETCH_SIZE);
            bind(ps, range);
            try (ResultSet rs = ps.executeQuery()) {
                int n = keys.size();
                while (rs.next()) {
                    consumer.accept(new Row(keyValues(rs), rs.getString(n + 1), rs.getString(n + 2)));
                }
            }
        }
    }

    /**
     * The table, aliased: every column reference is qualified ({@code t."id"}), because in {@code ORDER BY} a bare
     * name would mean the output column of that name, which is the key's text form.
     */
    private String from() {
        return derived == null ? " FROM ONLY " + table.qualifiedName() + " AS t"
                : " FROM (SELECT " + derived + " FROM ONLY " + table.qualifiedName() + ") AS t";
    }

    private static String column(Column c) {
        return "t." + Sql.ident(c.name());
    }

    private List<String> keyValues(ResultSet rs) throws SQLException {
        List<String> values = new ArrayList<>(keys.size());
        for (int i = 1; i <= keys.size(); i++) {
            values.add(rs.getString(i));
        }
        return values;
    }

    private String keyText() {
        return keys.stream().map(k -> column(k) + "::text").collect(Collectors.joining(", "));
    }

    private String orderBy() {
        return keys.stream().map(this::orderedKey).collect(Collectors.joining(", "));
    }

    private String orderedKey(Column k) {
        return column(k) + (k.collatable() && session.serverVersion() >= 90100 ? " COLLATE \"C\"" : "");
    }

    private String rowHash() {
        return "pg_catalog.md5(pg_catalog.convert_to(ROW(" + normalized(columns) + ")::text, 'UTF8'))";
    }

    private static String normalized(List<Column> cols) {
        return cols.stream().map(TableSql::normalized).collect(Collectors.joining(", "));
    }

    /** The column as hashed: its own text form, except floats (IEEE bits as hex). */
    private static String normalized(Column c) {
        String name = column(c);
        return switch (c.typeOid()) {
            case FLOAT4 -> "pg_catalog.encode(pg_catalog.float4send(" + name + "), 'hex')";
            case FLOAT8 -> "pg_catalog.encode(pg_catalog.float8send(" + name + "), 'hex')";
            case FLOAT4_ARRAY, FLOAT8_ARRAY -> "CASE WHEN " + name + " IS NOT NULL THEN"
                    + " COALESCE(pg_catalog.array_dims(" + name + "), '') || ARRAY(SELECT pg_catalog.encode(pg_catalog."
                    + (c.typeOid() == FLOAT4_ARRAY ? "float4send" : "float8send") + "(x), 'hex') FROM pg_catalog.unnest("
                    + name + ") AS x)::text END";
            default -> name;
        };
    }

    /** {@code WHERE (k1, k2) > (lower) AND (k1, k2) <= (upper)}, as far as the range is bounded. */
    private String where(KeyRange range) {
        List<String> conditions = new ArrayList<>();
        if (range.lower() != null) {
            conditions.add(keyRow() + " > " + paramRow());
        }
        if (range.upper() != null) {
            conditions.add(keyRow() + " <= " + paramRow());
        }
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    private String keyRow() {
        return "(" + orderBy() + ")";
    }

    private String paramRow() {
        return "(" + keys.stream().map(k -> "CAST(? AS " + k.typeName() + ")").collect(Collectors.joining(", "))
                + ")";
    }

    private void bind(PreparedStatement ps, KeyRange range) throws SQLException {
        int i = 1;
        for (List<String> bound : Arrays.asList(range.lower(), range.upper())) {
            if (bound != null) {
                for (String value : bound) {
                    ps.setObject(i++, value, Types.OTHER);
                }
            }
        }
    }
}
