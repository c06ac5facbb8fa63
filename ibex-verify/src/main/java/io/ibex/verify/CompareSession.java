package io.ibex.verify;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One side's transaction during a compare. On an autocommit connection it opens a {@code REPEATABLE READ READ ONLY}
 * transaction (one snapshot for the whole table) and rolls it back at the end; on a connection already in a
 * transaction it works inside that. Either way the settings that change the text form of values are pinned with
 * {@code SET LOCAL}, so they end with the transaction.
 */
final class CompareSession implements AutoCloseable {

    /** The settings under which every server prints values the same way (shared with TableDigest). */
    static final String[][] SETTINGS = {
        {"DateStyle", "ISO, YMD"},
        {"IntervalStyle", "postgres"},
        {"TimeZone", "UTC"},
        {"extra_float_digits", "3"},
        {"lc_monetary", "C"},
        {"bytea_output", "hex"},
    };

    private final Connection connection;
    private final boolean ownTransaction;
    private final int serverVersion;

    private CompareSession(Connection connection, boolean ownTransaction, int serverVersion) {
        this.connection = connection;
        this.ownTransaction = ownTransaction;
        this.serverVersion = serverVersion;
    }

    static CompareSession open(Connection c) throws SQLException {
        boolean own = c.getAutoCommit();
        if (own) {
            c.setAutoCommit(false);
        }
        try (Statement s = c.createStatement()) {
            if (own) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            int version;
            try (ResultSet rs = s.executeQuery("SELECT pg_catalog.current_setting('server_version_num')::int")) {
                rs.next();
                version = rs.getInt(1);
            }
            for (String[] setting : SETTINGS) {
                if (setting[0].equals("bytea_output") && version < 90000) {
                    continue;
                }
                s.execute("SET LOCAL " + Sql.ident(setting[0].toLowerCase()) + " = " + Sql.literal(setting[1]));
            }
            return new CompareSession(c, own, version);
        } catch (SQLException | RuntimeException e) {
            if (own) {
                c.rollback();
                c.setAutoCommit(true);
            }
            throw e;
        }
    }

    Connection connection() {
        return connection;
    }

    /** server_version_num, e.g. 90305 or 170006. */
    int serverVersion() {
        return serverVersion;
    }

    @Override
    public void close() throws SQLException {
        if (ownTransaction && !connection.isClosed()) {
            try {
                connection.rollback();
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }
}
