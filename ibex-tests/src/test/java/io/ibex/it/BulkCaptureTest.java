package io.ibex.it;

import io.ibex.capture.CaptureInstaller;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Statements of 100 rows and more record their keys in arrays (PostgreSQL 10+), smaller ones one key per row; both
 * kinds in one transaction, keys of many types (awkward text, numeric, uuid, timestamptz, bytea, an enum in a
 * composite key, a domain, which has no array type before 11), key changes, and a statement of more than one chunk.
 */
@ExtendWith(ServersPerClass.class)
class BulkCaptureTest {

    @Server("17") static PostgresServer target;

    static final String DDL = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE DOMAIN posint AS int CHECK (VALUE > 0);
            CREATE TABLE k_text (k text PRIMARY KEY, v int);
            CREATE TABLE k_num (k numeric PRIMARY KEY, v int);
            CREATE TABLE k_uuid (k uuid PRIMARY KEY, v int);
            CREATE TABLE k_ts (k timestamptz PRIMARY KEY, v int);
            CREATE TABLE k_bytea (k bytea PRIMARY KEY, v int);
            CREATE TABLE k_enum (k mood, n int, v int, PRIMARY KEY (k, n));
            CREATE TABLE k_domain (k posint PRIMARY KEY, v int);
            CREATE TABLE k_big (k int8 PRIMARY KEY, v int);
            """;
    static final String[] TABLES = {"public.k_text", "public.k_num", "public.k_uuid", "public.k_ts", "public.k_bytea", "public.k_enum",
            "public.k_domain", "public.k_big"};
    /** Per table, the key of row number g (an integer expression): every table gets the same statements. */
    static final String[][] KEYS = {
            {"k_text", "'k' || g || E'\\t\"\\\\\\\\ ü,{}' || CASE WHEN g % 5 = 0 THEN E'\\n' ELSE '' END"},
            {"k_num", "g * 1.5"},
            {"k_uuid", "md5(g::text)::uuid"},
            {"k_ts", "'2026-01-01 00:00:00+00'::timestamptz + g * interval '1 second'"},
            {"k_bytea", "decode(md5(g::text), 'hex')"},
            {"k_domain", "g"},
            {"k_big", "g"}};

    @ParameterizedTest(name = "PostgreSQL {0} to 17")
    @ValueSource(strings = {"10", "17"})
    void bigAndSmallStatementsConverge(String version) throws Exception {
        try (PostgresServer sourceServer = PostgresServer.start(version); Replication r = new Replication(sourceServer, target)) {
            r.execSource(DDL);
            r.execTarget(DDL);
            r.addDatabases();
            r.addSync("s", TABLES);
            for (String[] k : KEYS) {
                String t = k[0];
                String key = k[1];
                r.execSource(
                        "INSERT INTO " + t + " SELECT " + key + ", g FROM generate_series(1, 150) g", // arrays
                        "INSERT INTO " + t + " SELECT " + key + ", g FROM generate_series(151, 249) g", // 99 rows: one key a row
                        "UPDATE " + t + " SET v = v + 1", // arrays
                        "UPDATE " + t + " SET v = v + 1 WHERE v < 6", // small
                        "DELETE FROM " + t + " WHERE v % 2 = 0", // 124 rows: arrays
                        "BEGIN; INSERT INTO " + t + " SELECT " + key + ", g FROM generate_series(1000, 1200) g;"
                                + " UPDATE " + t + " SET v = -v WHERE v = 1001; DELETE FROM " + t + " WHERE v BETWEEN 1100 AND 1199;"
                                + " INSERT INTO " + t + " SELECT " + key + ", 7 FROM generate_series(1100, 1150) g; COMMIT");
            }
            r.execSource("INSERT INTO k_text SELECT x, 0 FROM unnest(ARRAY['', 'NULL', E'\\\\N', '{a,b}', '\"q\"', E'back\\\\slash']) x"
                            + " UNION ALL SELECT 'pad' || g, 0 FROM generate_series(1, 100) g",
                    "INSERT INTO k_enum SELECT (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood, g, g FROM generate_series(1, 300) g",
                    "UPDATE k_enum SET n = n + 1000 WHERE n % 4 = 0", // key changes: old keys in arrays, new ones one a row
                    "UPDATE k_big SET k = k + 1000000 WHERE k % 3 = 0",
                    "INSERT INTO k_big SELECT g, g FROM generate_series(2000000, 2070000) g"); // two chunks of keys
            try (Connection c = r.source(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*), sum(ibex_rows) FROM "
                    + CaptureInstaller.names("public", "k_big").qualifiedDelta() + " WHERE ibex_rows IS NOT NULL")) {
                rs.next();
                assertThat(rs.getLong(1)).as("change rows with arrays of keys").isGreaterThanOrEqualTo(5);
                assertThat(rs.getLong(2)).as("keys in arrays").isGreaterThan(70_000);
            }
            r.startDaemon();
            r.awaitConverged(Duration.ofSeconds(60), TABLES);
            assertThat(r.count(false, "k_big")).isGreaterThan(70_000);

            // live: big statements while the daemon runs
            r.execSource("UPDATE k_text SET v = v + 1", "DELETE FROM k_big WHERE k >= 2050000", "UPDATE k_enum SET v = 0");
            r.awaitConverged(Duration.ofSeconds(60), TABLES);
            assertThat(r.count(true, "k_big")).isEqualTo(r.count(false, "k_big"));
        }
    }
}
