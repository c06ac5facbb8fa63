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

    public String url() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + urlEncode(dbname);
    }

    private static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
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
            return DriverManager.getConnection(url(), p);
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
        try {
            return open(applicationName);
        } catch (SQLException e) {
            throw new IbexException("cannot connect to " + what + " (" + describe() + "): " + Pg.firstLine(e), e);
        }
    }

    @Override
    public String toString() {
        return "ConnectionSpec[" + describe() + (password != null ? ", password set" : "") + "]";
    }
}
