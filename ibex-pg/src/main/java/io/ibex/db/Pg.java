package io.ibex.db;

import org.postgresql.core.BaseConnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Small JDBC helpers, so that callers read as SQL and not as plumbing. */
public final class Pg {
    private Pg() {
    }

    public static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    public static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    public static String queryString(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    public static long queryLong(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
        }
    }

    public static boolean exists(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    public static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }

    /**
     * Session settings under which COPY text means the same on every server version: ISO dates, UTC, floats
     * printed exactly, bytea in hex (9.0+).
     */
    public static void useStableTextFormat(Connection c) throws SQLException {
        exec(c, "SET DateStyle = 'ISO'");
        exec(c, "SET TimeZone = 'UTC'");
        exec(c, "SET extra_float_digits = 3");
        if (serverVersion(c) >= 80400) {
            exec(c, "SET IntervalStyle = 'postgres'");
        }
        if (serverVersion(c) >= 90000) {
            exec(c, "SET bytea_output = 'hex'");
        }
    }

    /** The server's version as an integer like 90305 or 170006 (server_version_num exists from 8.2). */
    public static int serverVersion(Connection c) throws SQLException {
        // pgjdbc keeps the version the server reported at connect: no round trip (a batch asked twice)
        int known = c.isWrapperFor(BaseConnection.class) ? c.unwrap(BaseConnection.class).getQueryExecutor().getServerVersionNum() : 0;
        return known > 0 ? known : Integer.parseInt(queryString(c, "SHOW server_version_num"));
    }

    /** The first line of an error, without pgjdbc's "Detail/Hint/Where" tail or a password. */
    public static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return (nl >= 0 ? m.substring(0, nl) : m).trim();
    }

    /** The first line of an error plus the server's detail, which names the row (e.g. "Key (email)=(x) already exists"). */
    public static String withDetail(Throwable e) {
        String first = firstLine(e);
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null) {
                String detail = p.getServerErrorMessage().getDetail();
                String where = p.getServerErrorMessage().getWhere();
                // a COPY names the failing row in its context ("COPY accounts, line 3: "4242 ...""): its key
                String row = where != null && where.startsWith("COPY ") ? where.replace('\n', ' ') : null;
                if (row != null && row.length() > 160) {
                    row = row.substring(0, 160) + "...";
                }
                if (detail != null || row != null) {
                    return first + " (" + (detail != null ? detail.replace('\n', ' ') : "") + (detail != null && row != null ? "; " : "")
                            + (row != null ? "at " + row : "") + ")";
                }
            }
        }
        return first;
    }

    public static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return s.getSQLState();
            }
        }
        return null;
    }

    public static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing after a failure: the first error is the one worth reporting
            }
        }
    }

    public static void rollbackQuietly(Connection c) {
        if (c != null) {
            try {
                if (!c.isClosed() && !c.getAutoCommit()) {
                    c.rollback();
                }
            } catch (SQLException ignored) {
                // the connection is broken; the transaction is gone with it
            }
        }
    }

    /** Work against a connection that may throw SQLException. */
    public interface SqlWork {
        void run() throws SQLException;
    }

    /** Runs the work in a transaction of its own: committed, or rolled back and rethrown; the autocommit mode is restored. */
    public static void inTransaction(Connection c, SqlWork work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            work.run();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
