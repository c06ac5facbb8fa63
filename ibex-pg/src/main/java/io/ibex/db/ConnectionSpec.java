package io.ibex.db;

import io.ibex.IbexException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where a PostgreSQL database is and who ibex connects as. A null password means: let pgjdbc take it from
 * PGPASSFILE or ~/.pgpass, so that it need not be stored anywhere. The password never appears in toString.
 */
public record ConnectionSpec(String host, int port, String dbname, String user, String password) {

    public static final int DEFAULT_PORT = 5432;

    public ConnectionSpec {
        if (host == null || host.isBlank()) {
            host = envOr("PGHOST", "localhost");
        }
        if (port <= 0) {
            port = Integer.parseInt(envOr("PGPORT", String.valueOf(DEFAULT_PORT)));
        }
        if (port > 65535) {
            throw new IbexException("port must be a port number from 1 to 65535, not " + port);
        }
        if (user == null || user.isBlank()) {
            user = envOr("PGUSER", System.getProperty("user.name"));
        }
        if (password != null && password.isEmpty()) {
            password = null;
        }
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** The PostgreSQL URL, which the repository connects to; a target's adapter builds its own (TargetProvider.url). */
    public String url() {
        return PostgresUrl.of(host, port, dbname);
    }

    /** host:port/dbname as user, for messages. */
    public String describe() {
        return host + ":" + port + "/" + dbname + " as " + user;
    }

    /**
     * Opens a connection; applicationName marks ibex's own sessions, which the capture triggers recognise
     * (see docs/design.md).
     */
    public Connection open(String applicationName) throws SQLException {
        return open(url(), applicationName);
    }

    /** Opens a connection to the given JDBC URL with this user and password (a target adapter's URL). */
    public Connection open(String url, String applicationName) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("connectTimeout", "10");
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("prepareThreshold", "0");
        try {
            return DriverManager.getConnection(url, p);
        } catch (SQLException e) {
            String cause = ConnectFailure.describe(e, host, port);
            if (cause == null) {
                throw e;
            }
            throw new SQLException(cause, e.getSQLState(), e);
        }
    }

    /** Opens a connection or fails with a one-line message that names the database (never the password). */
    public Connection openOrFail(String applicationName, String what) {
        return openOrFail(url(), applicationName, what);
    }

    /** Like {@link #openOrFail(String, String)}, to the given JDBC URL. */
    public Connection openOrFail(String url, String applicationName, String what) {
        try {
            return open(url, applicationName);
        } catch (SQLException e) {
            throw new IbexException("cannot connect to " + what + " (" + describe() + "): " + Pg.firstLine(e), e);
        }
    }

    @Override
    public String toString() {
        return "ConnectionSpec[" + describe() + (password != null ? ", password set" : "") + "]";
    }
}
