package io.ibex.testkit;

import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.verify.TableDigest;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One database on one server, with a label for messages. */
public record Db(String label, PostgresServer server, String name) {

    /** Creates the database and returns it. */
    public static Db create(String label, PostgresServer server, String name) throws SQLException {
        server.createDatabase(name);
        return new Db(label, server, name);
    }

    public Connection connect() throws SQLException {
        return server.connect(name);
    }

    public void exec(String... sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    public long queryLong(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The parameters of {@code add database} for this database (dbname, dbhost, dbport, dbuser). */
    public Map<String, String> params() {
        return params(server, name);
    }

    public static Map<String, String> params(PostgresServer server, String name) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("dbname", name);
        p.put("dbhost", "localhost");
        p.put("dbport", String.valueOf(server.port()));
        p.put("dbuser", "postgres");
        return p;
    }

    public ConnectionSpec spec() {
        return new ConnectionSpec("localhost", server.port(), name, "postgres", null);
    }

    public Map<String, TableDigest.Digest> digests(List<String> tables) throws SQLException {
        try (Connection c = connect()) {
            return TableDigest.ofAll(c, tables);
        }
    }

    @Override
    public String toString() {
        return label + " (" + name + " on port " + server.port() + ")";
    }
}
