package io.ibex.embedded;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresServerTest {

    @Test
    void version17KeepsDataAcrossStopAndCrash() throws Exception {
        try (PostgresServer pg = PostgresServer.start("17")) {
            assertThat(pg.version()).isEqualTo("17");
            assertThat(query(pg, "postgres", "SHOW server_version")).startsWith("17.");
            int port = pg.port();

            pg.createDatabase("my db");
            pg.execute("my db", "CREATE TABLE t (id int primary key, v text)");
            pg.execute("my db", "INSERT INTO t VALUES (1, 'before restart')");

            pg.stop();
            assertThat(pg.isRunning()).isFalse();
            pg.start();
            assertThat(pg.port()).isEqualTo(port);
            assertThat(query(pg, "my db", "SELECT v FROM t WHERE id = 1")).isEqualTo("before restart");

            pg.execute("my db", "INSERT INTO t VALUES (2, 'before crash')");
            pg.stopImmediately();
            assertThatThrownBy(() -> pg.connect("my db")).isInstanceOf(SQLException.class);
            pg.start();
            assertThat(pg.port()).isEqualTo(port);
            assertThat(query(pg, "my db", "SELECT string_agg(v, ',' ORDER BY id) FROM t"))
                    .isEqualTo("before restart,before crash");

            pg.restart();
            assertThat(query(pg, "my db", "SELECT count(*) FROM t")).isEqualTo("2");
        }
    }

    @Test
    void version96Starts() throws Exception {
        try (PostgresServer pg = PostgresServer.start("9.6")) {
            assertThat(pg.version()).isEqualTo("9.6");
            assertThat(query(pg, "postgres", "SHOW server_version")).startsWith("9.6.");
            assertThat(query(pg, "postgres", "SHOW max_connections")).isEqualTo("100");
        }
    }

    @Test
    void rolesWithPasswords() throws Exception {
        try (PostgresServer pg = PostgresServer.start("17")) {
            pg.createRole("O'Brien \"x\"", "p'w\\d", false);
            try (Connection c = pg.connect("postgres", "O'Brien \"x\"", null)) {
                assertThat(query(c, "SELECT current_user")).isEqualTo("O'Brien \"x\"");
            }
            pg.createRole("secure", "s3cret", true);
            pg.requirePassword("secure");
            assertThatThrownBy(() -> pg.connect("postgres", "secure", null)).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> pg.connect("postgres", "secure", "wrong")).isInstanceOf(SQLException.class);
            try (Connection c = pg.connect("postgres", "secure", "s3cret")) {
                assertThat(query(c, "SELECT current_user")).isEqualTo("secure");
            }
            pg.restart();
            assertThatThrownBy(() -> pg.connect("postgres", "secure", null)).isInstanceOf(SQLException.class);
        }
    }

    private static String query(PostgresServer pg, String db, String sql) throws SQLException {
        try (Connection c = pg.connect(db)) {
            return query(c, sql);
        }
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
