package io.ibex.embedded;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyManager;

import java.io.StringReader;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

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

    /** The otj-pg-embedded servers, with a setting (max_wal_size) that 9.3 only knows as checkpoint_segments. */
    @ParameterizedTest
    @CsvSource({"9.5, 9.5.3, 64", "9.3, 9.3.5, 21"})
    void oldVersionsRunWhatIbexNeeds(String version, String fullVersion, String checkpointSetting) throws Exception {
        try (PostgresServer pg = PostgresServer.start(version, Map.of("max_wal_size", "1GB"))) {
            assertThat(pg.version()).isEqualTo(version);
            assertThat(query(pg, "postgres", "SHOW server_version")).isEqualTo(fullVersion);
            String shown = query(pg, "postgres", version.equals("9.3") ? "SHOW checkpoint_segments" : "SHOW max_wal_size");
            assertThat(shown).isEqualTo(version.equals("9.3") ? checkpointSetting : "1GB");
            assertThat(query(pg, "postgres", "SHOW TimeZone")).isIn("UTC", "Etc/UTC");

            pg.createDatabase("old db");
            try (Connection c = pg.connect("old db"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
                s.execute("CREATE TABLE log (id int, op text, xid bigint)");
                s.execute("CREATE FUNCTION log_it() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO log VALUES (NEW.id, TG_OP, txid_current()); RETURN NEW; END $$");
                s.execute("CREATE TRIGGER t_log AFTER INSERT OR UPDATE ON t FOR EACH ROW EXECUTE PROCEDURE log_it()");
                s.execute("INSERT INTO t VALUES (1, 'one'), (2, E'two\\ttab')");
                assertThat(query(c, "SELECT string_agg(op, ',' ORDER BY id) FROM log")).isEqualTo("INSERT,INSERT");
                assertThat(query(c, "SELECT txid_current_snapshot()::text")).matches("\\d+:\\d+:[\\d,]*");

                try (Connection listener = pg.connect("old db"); Statement ls = listener.createStatement()) {
                    ls.execute("LISTEN \"ibex chan\"");
                    s.execute("NOTIFY \"ibex chan\", 'hello'");
                    PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(10_000);
                    assertThat(got).isNotNull().hasSize(1);
                    assertThat(got[0].getName()).isEqualTo("ibex chan");
                    assertThat(got[0].getParameter()).isEqualTo("hello");
                }

                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                StringWriter out = new StringWriter();
                assertThat(copy.copyOut("COPY (SELECT * FROM t ORDER BY id) TO STDOUT", out)).isEqualTo(2);
                assertThat(out.toString()).isEqualTo("1\tone\n2\ttwo\\ttab\n");
                s.execute("CREATE TABLE t2 (LIKE t)");
                assertThat(copy.copyIn("COPY t2 FROM STDIN", new StringReader(out.toString()))).isEqualTo(2);
                assertThat(query(c, "SELECT v FROM t2 WHERE id = 2")).isEqualTo("two\ttab");
            }

            pg.stopImmediately();
            pg.start();
            assertThat(query(pg, "old db", "SELECT count(*) FROM log")).isEqualTo("2");
        }
    }

    @Test
    void settingsAreAdaptedToTheVersion() {
        Map<String, String> in = new java.util.LinkedHashMap<>();
        in.put("max_wal_size", "2GB");
        in.put("wal_level", "replica");
        in.put("max_replication_slots", "4");
        in.put("fsync", "off");
        assertThat(ServerSettings.forVersion(90300, in)).containsExactly(Map.entry("checkpoint_segments", "42"),
                Map.entry("wal_level", "hot_standby"), Map.entry("fsync", "off"));
        assertThat(ServerSettings.forVersion(90500, in)).containsExactly(Map.entry("max_wal_size", "2GB"),
                Map.entry("wal_level", "hot_standby"), Map.entry("max_replication_slots", "4"),
                Map.entry("fsync", "off"));
        assertThat(ServerSettings.forVersion(170000, in)).isEqualTo(in);
        assertThat(ServerSettings.versionNum("9.3")).isEqualTo(90300);
        assertThat(ServerSettings.versionNum("17")).isEqualTo(170000);
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
