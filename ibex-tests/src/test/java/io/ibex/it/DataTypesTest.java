package io.ibex.it;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every common type round-trips exactly, and so do awkward names, composite keys and other schemas. */
@ExtendWith(ServersPerClass.class)
class DataTypesTest {

    @Server("17") static PostgresServer server;

    static final String TYPES_DDL = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
            CREATE TABLE alltypes (
              id int8 PRIMARY KEY, i2 int2, i4 int4, num numeric, num_nan numeric, f4 float4, f8 float8,
              txt text, vc varchar(20), bin bytea, flag bool, d date, tm time, ts timestamp, tstz timestamptz,
              iv interval, u uuid, js json, jsb jsonb, arr int[], tarr text[], m mood, p posint, big text)""";

    static final String TYPES_ROWS = """
            INSERT INTO alltypes VALUES
             (1, 1, 2, 3.14159265358979323846264338327950288, 'NaN', 1.5, 'Infinity', 'plain', 'v', '\\x00ff10'::bytea, true,
              '2024-02-29', '23:59:59.999999', '2024-01-01 00:00:00', '2024-06-01 12:00:00+02', '1 year 2 mons 3 days 04:05:06',
              'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2, {"b": null}]}', '{"z": 1, "a": "é"}', '{1,2,NULL}',
              '{"with space","quote\\"d","back\\\\slash"}', 'happy', 7, NULL),
             (2, -32768, -2147483648, -0.000000001, 'NaN', '-Infinity', -1e308, E'tab\\there, newline\\n, backslash \\\\ and unicode ☃ 🐐',
              'ünïcødé', ''::bytea, false, 'infinity', '00:00', '-infinity', 'infinity', '-1 days', '00000000-0000-0000-0000-000000000000',
              'null', '[]', '{}', '{}', 'sad', 1, repeat('toast me ', 200000)),
             (3, NULL, NULL, NULL, NULL, 'NaN', 'NaN', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)""";

    @Test
    void everyTypeRoundTrips() throws Exception {
        try (Replication r = new Replication(server, server)) {
            r.execSource(TYPES_DDL);
            r.execTarget(TYPES_DDL);
            r.addDatabases();
            r.addSync("types", "alltypes");
            r.startDaemon();
            r.execSource(TYPES_ROWS);
            r.awaitConverged(Duration.ofSeconds(30), "public.alltypes");
            r.execSource("UPDATE alltypes SET big = repeat('x', 1000000), f8 = 0.1 + 0.2 WHERE id = 1",
                    "UPDATE alltypes SET jsb = jsb || '{\"new\": true}', arr = arr || 4 WHERE id = 1",
                    "DELETE FROM alltypes WHERE id = 3");
            r.awaitConverged(Duration.ofSeconds(30), "public.alltypes");
            assertThat(r.count(false, "alltypes")).isEqualTo(2);
        }
    }

    static final String MIXED = "\"Other Schema\".\"Mixed Case \"\"Table\"\"\"";
    static final String NAMES_DDL = "CREATE SCHEMA \"Other Schema\"; CREATE TABLE " + MIXED
            + " (\"Key Part\" text, \"select\" int, \"Value; DROP\" text, PRIMARY KEY (\"Key Part\", \"select\"));"
            + " CREATE TABLE \"Other Schema\".plain (a int PRIMARY KEY, b text);"
            + " CREATE TABLE \"Other Schema\".\"dots.and ☃ ünïcode\" (\"key.part\" text PRIMARY KEY, \"ŝelect\" text, \"order\" int)";

    @Test
    void awkwardNamesCompositeKeysAndOtherSchemas() throws Exception {
        try (Replication r = new Replication(server, server)) {
            r.execSource(NAMES_DDL);
            r.execTarget(NAMES_DDL);
            r.addDatabases();
            var added = r.ibex.addTables(List.of("\"Other Schema\".%"), Map.of("db", "source", "relgroup", "odd"), false);
            assertThat(added.added()).hasSize(3);
            r.ibex.addSync("odd", Map.of("relgroup", "odd", "db", "source,target"));
            r.startDaemon();
            r.execSource("INSERT INTO " + MIXED + " VALUES ('a''b', 1, 'x'), ('a''b', 2, 'y'), ('c\\d', 1, 'z')",
                    "INSERT INTO \"Other Schema\".plain SELECT g, 'v' || g FROM generate_series(1, 100) g");
            String[] tables = {MIXED, "\"Other Schema\".plain", "\"Other Schema\".\"dots.and ☃ ünïcode\""};
            r.execSource("INSERT INTO \"Other Schema\".\"dots.and ☃ ünïcode\" VALUES ('a.b', 'ü', 1), ('\"quoted\"', '; DROP TABLE x; --', 2)");
            r.awaitConverged(Duration.ofSeconds(30), tables);
            r.execSource("UPDATE " + MIXED + " SET \"select\" = 3 WHERE \"select\" = 2",
                    "DELETE FROM " + MIXED + " WHERE \"Key Part\" = 'c\\d'",
                    "UPDATE \"Other Schema\".plain SET b = 'changed' WHERE a % 3 = 0");
            r.awaitConverged(Duration.ofSeconds(30), tables);
            assertThat(r.count(false, MIXED)).isEqualTo(2);
        }
    }

    @Test
    void truncateOnTheSourceEmptiesTheTargetAndLaterRowsFollow() throws Exception {
        try (Replication r = new Replication(server, server)) {
            r.execSource("CREATE TABLE t (id int PRIMARY KEY, v text)");
            r.execTarget("CREATE TABLE t (id int PRIMARY KEY, v text)");
            r.addDatabases();
            r.addSync("trunc", "t");
            r.startDaemon();
            r.execSource("INSERT INTO t SELECT g, 'a' FROM generate_series(1, 50) g");
            r.awaitConverged(Duration.ofSeconds(30), "public.t");
            r.execSource("BEGIN; INSERT INTO t VALUES (100, 'before'); TRUNCATE t; INSERT INTO t VALUES (1, 'after'); COMMIT",
                    "INSERT INTO t VALUES (2, 'later')");
            r.awaitConverged(Duration.ofSeconds(30), "public.t");
            assertThat(r.count(false, "t")).isEqualTo(2);
        }
    }

    @Test
    void sequencesReachTheTargetInASequenceOnlySync() throws Exception {
        try (Replication r = new Replication(server, server)) {
            r.execSource("CREATE SEQUENCE ids START 100", "SELECT nextval('ids')", "SELECT nextval('ids')");
            r.execTarget("CREATE SEQUENCE ids START 100");
            r.addDatabases();
            r.ibex.addTables(List.of("ids"), Map.of("db", "source", "relgroup", "seqs"), true);
            r.ibex.addSync("seqs", Map.of("relgroup", "seqs", "db", "source,target"));
            r.startDaemon();
            var at = r.ibex.kick("seqs");
            assertThat(r.ibex.awaitRun("seqs", at, java.time.Duration.ofSeconds(30), d -> { }))
                    .isEqualTo(io.ibex.api.Ibex.KickOutcome.DONE);
            try (var c = r.target(); var s = c.createStatement(); var rs = s.executeQuery("SELECT last_value, is_called FROM ids")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(101);
                assertThat(rs.getBoolean(2)).isTrue();
            }
        }
    }
}
