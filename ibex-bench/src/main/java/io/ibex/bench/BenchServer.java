package io.ibex.bench;

import io.ibex.embedded.PostgresServer;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * A PostgreSQL server the benchmark uses: one it started itself (embedded, or from a local installation's binaries
 * with --pg-bin), or one given by host and port.
 */
final class BenchServer implements AutoCloseable {

    /** The application_name of the benchmark's own sessions, the load's among them. */
    static final String APPLICATION_NAME = "ibex-bench";
    private final String role;
    private final PostgresServer embedded;
    private final LocalServer local;
    private final String host;
    private final int port;
    private final String user;
    private final String password;

    private BenchServer(String role, PostgresServer embedded, LocalServer local, String host, int port, String user, String password) {
        this.role = role;
        this.embedded = embedded;
        this.local = local;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    static BenchServer start(String role, String version, Map<String, String> settings) {
        PostgresServer s = PostgresServer.start(version, settings);
        return new BenchServer(role, s, null, s.host(), s.port(), s.superuser(), null);
    }

    /** A server of the benchmark's own from the initdb, pg_ctl and postgres in {@code bin} (--pg-bin). */
    static BenchServer local(String role, java.nio.file.Path bin, Map<String, String> settings) {
        LocalServer s = LocalServer.start(bin, settings);
        return new BenchServer(role, null, s, "localhost", s.port(), "postgres", null);
    }

    static BenchServer external(String role, String hostPort, String user, String password) {
        int colon = hostPort.lastIndexOf(':');
        String h = colon < 0 ? hostPort : hostPort.substring(0, colon);
        int p = colon < 0 ? 5432 : Integer.parseInt(hostPort.substring(colon + 1));
        return new BenchServer(role, null, null, h, p, user, password);
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    String describe() {
        return role + " " + host + ":" + port + (embedded != null ? " (embedded, data " + embedded.dataDirectory() + ")"
                : local != null ? " (" + local + ", data " + local.dataDirectory() + ")" : "");
    }

    String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + URLEncoder.encode(db, StandardCharsets.UTF_8);
    }

    Connection connect(String db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", APPLICATION_NAME);
        Connection c = DriverManager.getConnection(jdbcUrl(db), p);
        c.setAutoCommit(true);
        return c;
    }

    Supplier<Connection> supplier(String db) {
        return () -> {
            try {
                return connect(db);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot connect to " + jdbcUrl(db) + ": " + e.getMessage(), e);
            }
        };
    }

    /** Drops (if it exists) and creates a database of the benchmark's own. */
    void recreateDatabase(String db) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + db + "\"");
            s.execute("CREATE DATABASE \"" + db + "\"");
        }
    }

    /** Drops (if it exists) and creates a database as a copy of another (which must have no other session). */
    void recreateDatabase(String db, String template) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + db + "\"");
            s.execute("CREATE DATABASE \"" + db + "\" TEMPLATE \"" + template + "\"");
        }
    }

    void dropDatabase(String db) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + db + "\"");
        }
    }

    String query(String db, String sql) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
        if (local != null) {
            local.close();
        }
    }
}
