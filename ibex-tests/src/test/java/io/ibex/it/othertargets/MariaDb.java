package io.ibex.it.othertargets;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A database of its own on the machine's MariaDB service (127.0.0.1:3306, root without a password), named uniquely so
 * that tests of other branches running at the same time never meet it; dropped at close.
 */
final class MariaDb implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    static final int PORT = 3306;
    private static final AtomicInteger SEQ = new AtomicInteger();

    final String name;

    MariaDb() throws SQLException {
        this.name = "ibex_t" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100000 + "_" + SEQ.incrementAndGet();
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + HOST + ":" + PORT + "/", "root", null);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE `" + name + "`");
        }
    }

    Map<String, String> params() {
        return Map.of("type", "mariadb", "dbhost", HOST, "dbport", String.valueOf(PORT), "dbname", name, "dbuser", "root");
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://" + HOST + ":" + PORT + "/" + name + "?sessionVariables=sql_mode='ANSI'", "root", null);
    }

    void exec(String... sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    long count(String table) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + table + "\"")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + HOST + ":" + PORT + "/", "root", null);
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS `" + name + "`");
        }
    }
}
