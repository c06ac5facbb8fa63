package io.ibex.spi.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What differs between the SQL databases a {@link JdbcTarget} writes: quoting, the type a PostgreSQL column gets
 * ({@link TypeMapping}), how a list of keys is written, the session's settings and how its checks are held off.
 */
public interface Dialect {

    /** For messages: "MariaDB", "SQLite". */
    String kind();

    TypeMapping types();

    /** An identifier, quoted. */
    default String quote(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    /** The query that lists a table's column names in order, its one parameter the table's bare name. */
    String columnsQuery();

    /** The names of the table's columns, empty if there is no such table. Tables go by bare name (no schema), as in Bucardo. */
    default List<String> columns(Connection c, String table) throws SQLException {
        List<String> cols = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(columnsQuery())) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.add(rs.getString(1));
                }
            }
        }
        return cols;
    }

    /** Once per connection, outside any transaction: time zone UTC, strict values, quoting as the SQL standard. */
    void prepareSession(Connection c) throws SQLException;

    /** Creates the table of the syncs' fences if it is missing (see JdbcFence). */
    default String fenceTable() {
        return "CREATE TABLE IF NOT EXISTS " + JdbcFence.TABLE + " (sync VARCHAR(200) NOT NULL PRIMARY KEY, epoch BIGINT NOT NULL)";
    }

    /** What makes a SELECT of the fence's row hold it until the transaction ends: nothing where writers are serialized (SQLite). */
    default String lockingRead() {
        return "";
    }

    /** At the start of each batch: foreign-key and unique checks held off, as Bucardo does. */
    void holdOffChecks(Connection c) throws SQLException;

    /**
     * The condition "the key is one of n keys" with a placeholder per key column: {@code "k" IN (?,?)}, or for a key
     * of several columns the row-value form the database reads.
     */
    default String keyIn(List<String> quotedKeyColumns, int n) {
        StringBuilder sb = new StringBuilder();
        if (quotedKeyColumns.size() == 1) {
            sb.append(quotedKeyColumns.get(0)).append(" IN (");
            for (int i = 0; i < n; i++) {
                sb.append(i == 0 ? "?" : ",?");
            }
            return sb.append(')').toString();
        }
        String tuple = "(" + String.join(",", java.util.Collections.nCopies(quotedKeyColumns.size(), "?")) + ")";
        sb.append('(').append(String.join(", ", quotedKeyColumns)).append(") IN (").append(rowListPrefix());
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(tuple);
        }
        return sb.append(')').toString();
    }

    /** What comes before a list of row values in IN (...): "" (MariaDB), "VALUES " (SQLite). */
    default String rowListPrefix() {
        return "";
    }

    /** The expression that reads a column back for verify: the column itself by default. */
    default String readColumn(String quotedColumn, String pgType) {
        return quotedColumn;
    }

    /** The statement that refreshes a table's statistics, or null. */
    String analyze(String quotedTable);

    /** The value as bound to a statement, from the portable value ({@link PortableValues}). */
    default Object bind(Object portable) {
        return portable;
    }
}
