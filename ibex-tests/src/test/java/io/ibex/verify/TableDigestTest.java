package io.ibex.verify;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.verify.TableDigest.Digest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(ServersPerClass.class)
class TableDigestTest {
    private static final String TABLE = "CREATE TABLE \"Odd \"\"Schema\".\"data\" ("
            + " \"id\" int, \"n\" numeric(20,6), \"t\" text, \"b\" bytea, \"ts\" timestamptz, \"f\" float8,"
            + " PRIMARY KEY (\"id\"))";
    /** Same columns, other order: digests compare columns by name. */
    private static final String TABLE_REORDERED = "CREATE TABLE \"Odd \"\"Schema\".\"data\" ("
            + " \"f\" float8, \"ts\" timestamptz, \"t\" text, \"id\" int PRIMARY KEY, \"b\" bytea, \"n\" numeric(20,6))";
    private static final List<String> ROWS = List.of(
            "(1, 12345678901234.5, 'plain', '\\x00ff'::bytea, '2024-02-29 23:59:59.123456+05:30', 0.1)",
            "(2, -0.000001, E'Unicode \u00e9\u4e2d\uD83D\uDE00 tab\\there', '\\x5c6e'::bytea, '1999-12-31 00:00:00+00', 'Infinity')",
            "(3, NULL, E'back\\\\slash \\\\N and\\nnewline', NULL, NULL, '-Infinity')",
            "(4, 0, NULL, ''::bytea, 'infinity', NULL)",
            "(5, 1e10, '', '\\x'::bytea, '2000-01-01 12:00:00-08', 1.0000000000000002)");

    @Server("17") static PostgresServer server;

    @BeforeAll
    static void setUpServer() throws SQLException {
        server.createDatabase("source");
        server.createDatabase("target");
    }

    @Test
    void sameDataInOtherOrderDigestsEqualAndChangesShow() throws Exception {
        try (Connection source = server.connect("source"); Connection target = server.connect("target")) {
            load(source, TABLE, ROWS);
            List<String> reversed = new ArrayList<>(ROWS);
            Collections.reverse(reversed);
            load(target, TABLE_REORDERED, reversed);
            execute(target, "SET TimeZone = 'America/New_York'; SET DateStyle = 'ISO, DMY'; SET IntervalStyle = 'iso_8601';"
                    + " SET extra_float_digits = 0; SET bytea_output = 'escape'");

            assertThat(TableDigest.primaryKey(source, "Odd \"Schema", "data")).containsExactly("id");
            Digest expected = TableDigest.of(source, "Odd \"Schema", "data", List.of("id"));
            assertThat(expected.rows()).isEqualTo(5);
            assertThat(expected.md5()).hasSize(32);
            assertThat(TableDigest.of(target, "Odd \"Schema", "data", List.of("id"))).isEqualTo(expected);
            assertThat(setting(target, "TimeZone")).isEqualTo("America/New_York");
            assertThat(setting(target, "DateStyle")).isEqualTo("ISO, DMY");
            assertThat(setting(target, "bytea_output")).isEqualTo("escape");

            Map<String, Digest> all = TableDigest.ofAll(target, List.of("\"Odd \"\"Schema\".data"));
            assertThat(all).containsEntry("\"Odd \"\"Schema\".data", expected);

            // no primary key: every column orders the rows
            assertThat(TableDigest.of(target, "Odd \"Schema", "data", List.of())).satisfies(d -> {
                assertThat(d.rows()).isEqualTo(5);
                assertThat(d).isEqualTo(TableDigest.of(source, "Odd \"Schema", "data", List.of()));
            });

            execute(target, "UPDATE \"Odd \"\"Schema\".\"data\" SET \"f\" = 0.10000000000000002 WHERE \"id\" = 1");
            assertThat(TableDigest.of(target, "Odd \"Schema", "data", List.of("id"))).satisfies(d -> {
                assertThat(d.rows()).isEqualTo(5);
                assertThat(d.md5()).isNotEqualTo(expected.md5());
            });
            execute(target, "UPDATE \"Odd \"\"Schema\".\"data\" SET \"f\" = 0.1 WHERE \"id\" = 1");
            assertThat(TableDigest.of(target, "Odd \"Schema", "data", List.of("id"))).isEqualTo(expected);

            execute(target, "UPDATE \"Odd \"\"Schema\".\"data\" SET \"t\" = NULL WHERE \"id\" = 5");
            assertThat(TableDigest.of(target, "Odd \"Schema", "data", List.of("id")).md5())
                    .isNotEqualTo(expected.md5());
        }
    }

    @Test
    void tableWithoutPrimaryKeyAndCompositeKey() throws Exception {
        try (Connection source = server.connect("source"); Connection target = server.connect("target")) {
            String ddl = "CREATE TABLE \"log\" (\"msg\" text, \"at\" int, \"j\" json)";
            List<String> rows = List.of("('b', 1, '{\"a\": 1}')", "('a', 2, NULL)", "('a', 2, NULL)", "(NULL, 3, '[]')");
            load(source, ddl, rows);
            load(target, ddl, List.of(rows.get(3), rows.get(1), rows.get(0), rows.get(2)));
            assertThat(TableDigest.primaryKey(source, "public", "log")).isEmpty();
            Map<String, Digest> s = TableDigest.ofAll(source, List.of("log"));
            assertThat(TableDigest.ofAll(target, List.of("public.LOG"))).containsValue(s.get("log"));

            execute(source, "CREATE TABLE \"pk2\" (\"a\" text, \"b\" int, \"c\" int, PRIMARY KEY (\"c\", \"a\"))");
            assertThat(TableDigest.primaryKey(source, "public", "pk2")).containsExactly("c", "a");
        }
        try (Connection source = server.connect("source")) {
            assertThatThrownBy(() -> TableDigest.of(source, "public", "missing", List.of()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void sameDigestOnPostgres96() throws Exception {
        try (PostgresServer old = PostgresServer.start("9.6")) {
            old.createDatabase("source");
            try (Connection source = old.connect("source"); Connection target = server.connect("postgres")) {
                load(source, TABLE, ROWS);
                load(target, TABLE_REORDERED, ROWS);
                assertThat(TableDigest.primaryKey(source, "Odd \"Schema", "data")).containsExactly("id");
                assertThat(TableDigest.of(source, "Odd \"Schema", "data", List.of("id")))
                        .isEqualTo(TableDigest.of(target, "Odd \"Schema", "data", List.of("id")));
                assertThat(TableDigest.of(source, "Odd \"Schema", "data", List.of()))
                        .isEqualTo(TableDigest.of(target, "Odd \"Schema", "data", List.of()));
            }
        }
    }

    private static void load(Connection c, String ddl, List<String> rows) throws SQLException {
        if (ddl.contains("Odd")) {
            execute(c, "CREATE SCHEMA \"Odd \"\"Schema\"");
        }
        execute(c, ddl);
        String table = ddl.substring("CREATE TABLE ".length(), ddl.indexOf(" ("));
        String columns = ddl.contains("\"f\" float8, \"ts\"") ? "(\"id\", \"n\", \"t\", \"b\", \"ts\", \"f\")" : "";
        for (String row : rows) {
            execute(c, "INSERT INTO " + table + " " + columns + " VALUES " + row);
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String setting(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
