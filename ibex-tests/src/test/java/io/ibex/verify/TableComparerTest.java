package io.ibex.verify;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.verify.CompareResult.KeyDifference;
import io.ibex.verify.CompareResult.Kind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(ServersPerClass.class)
class TableComparerTest {
    @Server("17") private static PostgresServer pg17;
    @Server("9.6") private static PostgresServer pg96;

    @BeforeAll
    static void startServers() throws SQLException {
        for (String db : List.of("identical", "changes", "composite", "types", "big", "limits")) {
            pg17.createDatabase(db);
            pg96.createDatabase(db);
        }
    }

    @Test
    void identicalTablesInOtherPhysicalOrderCompareClean() throws Exception {
        try (Connection source = pg17.connect("identical"); Connection target = pg96.connect("identical")) {
            String ddl = "CREATE TABLE \"My \"\"Schema\".\"the table\" (\"Id\" int PRIMARY KEY, \"v\" text)";
            execute(source, "CREATE SCHEMA \"My \"\"Schema\"", ddl,
                    "INSERT INTO \"My \"\"Schema\".\"the table\" SELECT g, 'row ' || g FROM generate_series(1, 95) g");
            execute(target, "CREATE SCHEMA \"My \"\"Schema\"", ddl,
                    "INSERT INTO \"My \"\"Schema\".\"the table\" SELECT g, 'row ' || g FROM generate_series(95, 1, -1) g");
            List<long[]> progress = new ArrayList<>();
            CompareOptions options = CompareOptions.defaults().withChunkSize(10)
                    .withProgress((done, total) -> progress.add(new long[] {done, total}));
            ComparedTable table = new ComparedTable("My \"Schema", "the table", List.of("Id"), List.of("Id", "v"));

            CompareResult r = new TableComparer(options).compare(source, target, table);

            assertThat(r.identical()).isTrue();
            assertThat(r.sourceRows()).isEqualTo(95);
            assertThat(r.targetRows()).isEqualTo(95);
            assertThat(r.differences()).isEmpty();
            assertThat(r.ranges()).isEqualTo(10); // 9 full ones, then (90, infinity)
            assertThat(r.differingRanges()).isZero();
            assertThat(progress).hasSize(10);
            assertThat(progress.get(9)[0]).isEqualTo(95);
            assertThat(progress.get(9)[1]).isGreaterThanOrEqualTo(95);
            assertThat(source.getAutoCommit()).isTrue();
            assertThat(query(source, "SHOW extra_float_digits")).isEqualTo("1"); // pinned settings did not leak

            source.setAutoCommit(false); // in the caller's transaction: settings last until it ends
            assertThat(new TableComparer(options).compare(source, target, table).identical()).isTrue();
            assertThat(source.getAutoCommit()).isFalse();
            assertThat(query(source, "SHOW extra_float_digits")).isEqualTo("3");
            source.commit();
            assertThat(query(source, "SHOW extra_float_digits")).isEqualTo("1");
        }
    }

    @Test
    void changedMissingAndExtraRowsAreNamed() throws Exception {
        try (Connection c = pg17.connect("changes")) {
            execute(c, "CREATE TABLE src (id int PRIMARY KEY, v text, n int)",
                    "CREATE TABLE tgt (id int PRIMARY KEY, v text, n int)",
                    "INSERT INTO src SELECT g, 'v' || g, g FROM generate_series(1, 50) g",
                    "INSERT INTO tgt SELECT * FROM src",
                    "UPDATE tgt SET v = '' WHERE id = 7",          // changed
                    "UPDATE tgt SET n = NULL WHERE id = 8",        // changed to NULL
                    "UPDATE src SET v = NULL WHERE id = 9",        // NULL vs ''
                    "UPDATE tgt SET v = '' WHERE id = 9",
                    "DELETE FROM tgt WHERE id IN (20, 21, 50)",    // missing, the last one at the very end
                    "DELETE FROM src WHERE id = 33",               // extra in the middle
                    "INSERT INTO tgt VALUES (0, 'before all', 0), (1000, 'after all', 1)"); // extra at both ends
        }
        // the target is 9.6's "src", a copy of 17's "tgt"
        try (Connection source = pg17.connect("changes"); Connection target = pg96.connect("changes")) {
            execute(target, "CREATE TABLE src (id int PRIMARY KEY, v text, n int)");
            copyRows(pg17, "changes", "tgt", target, "src");
            ComparedTable table = new ComparedTable("public", "src", List.of("id"), List.of("id", "v", "n"));
            CompareResult r = new TableComparer(CompareOptions.defaults().withChunkSize(7))
                    .compare(source, target, table);

            assertThat(r.identical()).isFalse();
            assertThat(r.sourceRows()).isEqualTo(49);
            assertThat(r.targetRows()).isEqualTo(49);
            assertThat(r.differences()).containsExactlyInAnyOrder(
                    diff(Kind.EXTRA_ON_TARGET, "0"),
                    diff(Kind.DIFFERENT, "7"), diff(Kind.DIFFERENT, "8"), diff(Kind.DIFFERENT, "9"),
                    diff(Kind.MISSING_ON_TARGET, "20"), diff(Kind.MISSING_ON_TARGET, "21"),
                    diff(Kind.EXTRA_ON_TARGET, "33"),
                    diff(Kind.MISSING_ON_TARGET, "50"), diff(Kind.EXTRA_ON_TARGET, "1000"));
            assertThat(r.missingOnTarget()).isEqualTo(3);
            assertThat(r.extraOnTarget()).isEqualTo(3);
            assertThat(r.different()).isEqualTo(3);
            assertThat(r.differingRanges()).isBetween(4, 6);

            CompareResult capped = new TableComparer(CompareOptions.defaults().withChunkSize(1000).withMaxKeys(2))
                    .compare(source, target, table);
            assertThat(capped.differences()).hasSize(2);
            assertThat(capped.totalDifferences()).isEqualTo(9);
            assertThat(capped.truncated()).isTrue();
            // one range: differences come in key order
            assertThat(capped.differences()).containsExactly(diff(Kind.EXTRA_ON_TARGET, "0"), diff(Kind.DIFFERENT, "7"));
        }
    }

    @Test
    void compositeTextKeysUseOneOrderOnBothServers() throws Exception {
        try (Connection source = pg96.connect("composite"); Connection target = pg17.connect("composite")) {
            String targetCollation = icuCollation(target);
            execute(source, "CREATE TABLE t (region text NOT NULL, \"Code\" varchar(20) NOT NULL, id int NOT NULL,"
                    + " payload text, PRIMARY KEY (region, \"Code\", id))");
            execute(target, "CREATE TABLE t (region text COLLATE " + targetCollation + " NOT NULL,"
                    + " \"Code\" varchar(20) NOT NULL, id int NOT NULL, payload text, PRIMARY KEY (region, \"Code\", id))");
            String rows = "INSERT INTO t SELECT r, c, i, r || c || i FROM"
                    + " unnest(ARRAY['a', 'B', 'b', '_x', 'Z', 'é', 'e', 'ä', 'a b', 'a''b', '']) AS r,"
                    + " unnest(ARRAY['x', 'X', '1', '10', '9']) AS c, generate_series(1, 3) AS i";
            execute(source, rows);
            execute(target, rows, "UPDATE t SET payload = 'changed' WHERE region = 'é' AND \"Code\" = 'X' AND id = 2",
                    "DELETE FROM t WHERE region = 'a''b' AND \"Code\" = '10' AND id = 3",
                    "INSERT INTO t VALUES ('Ω', 'new', 1, 'extra')");
            ComparedTable table = new ComparedTable("public", "t", List.of("region", "Code", "id"),
                    List.of("region", "Code", "id", "payload"));

            CompareResult r = new TableComparer(CompareOptions.defaults().withChunkSize(4))
                    .compare(source, target, table);

            assertThat(r.sourceRows()).isEqualTo(165);
            assertThat(r.targetRows()).isEqualTo(165);
            assertThat(r.differences()).containsExactlyInAnyOrder(
                    new KeyDifference(Kind.DIFFERENT, List.of("é", "X", "2")),
                    new KeyDifference(Kind.MISSING_ON_TARGET, List.of("a'b", "10", "3")),
                    new KeyDifference(Kind.EXTRA_ON_TARGET, List.of("Ω", "new", "1")));
            assertThat(r.differingRanges()).isEqualTo(3);
        }
    }

    @Test
    void version96And17AgreeOnTypesWhoseTextDiffers() throws Exception {
        String ddl = "CREATE TABLE t (id bigint PRIMARY KEY, f8 float8, f4 float4, n numeric(40,10), ts timestamptz,"
                + " t timestamp, d date, iv interval, b bytea, j json, jb jsonb, tx text, fa float8[], m money,"
                + " u uuid, bo boolean)";
        String rows = "INSERT INTO t VALUES"
                + " (1, 0.1, 0.1, 12345678901234567890.0123456789, '2024-02-29 23:59:59.123456+05:30',"
                + "  '2000-01-01 00:00:00.5', '2024-02-29', '1 year 2 mons 3 days 04:05:06.7', '\\x00ff5c'::bytea,"
                + "  '{\"b\": 1,  \"a\": [1.50, null]}', '{\"b\": 1,  \"a\": [1.50, null]}', E'tab\\there',"
                + "  ARRAY[0.1, 1e300, NULL], 12.34, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true),"
                + " (2, 1.0000000000000002, 3.4028235e38, -0.000001, 'infinity', '-infinity', '-infinity', '-1 day',"
                + "  '\\x'::bytea, '[]', '[]', '', '{}', -0.5, NULL, false),"
                + " (3, 'NaN', '-Infinity', 'NaN', '1999-12-31 23:59:59.999999-08', NULL, NULL, NULL, NULL, 'null',"
                + "  'null', NULL, NULL, NULL, NULL, NULL),"
                + " (4, -0.0, 1e-45, 0, NULL, NULL, NULL, '0', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
                + " (5, 1e-320, 123.456, 1e20, '1970-01-01 00:00:00+00', '1970-01-01', '1970-01-01', '10:00',"
                + "  '\\x0a'::bytea, '\"x\"', '\"x\"', E'\\u00e9\\u4e2d', '{{1.5,2},{3,4}}', 0, NULL, true)";
        try (Connection source = pg96.connect("types"); Connection target = pg17.connect("types")) {
            execute(source, ddl, rows, "INSERT INTO t SELECT g, g / 7.0, g / 3.0, g / 7.0, now(), now(), now(),"
                    + " g * interval '1.1 sec', convert_to(g::text, 'UTF8'), '{}', '{}', NULL, ARRAY[g / 3.0],"
                    + " g, NULL, NULL FROM generate_series(6, 500) g");
            execute(target, ddl);
            copyRows(pg96, "types", "t", target, "t");
            // the sessions' own settings must not matter
            execute(source, "SET extra_float_digits = 0", "SET TimeZone = 'America/New_York'",
                    "SET DateStyle = 'ISO, DMY'", "SET bytea_output = 'escape'", "SET IntervalStyle = 'iso_8601'");
            execute(target, "SET extra_float_digits = 1", "SET TimeZone = 'Asia/Kolkata'",
                    "SET DateStyle = 'ISO, MDY'", "SET IntervalStyle = 'sql_standard'");
            List<String> columns = List.of("id", "f8", "f4", "n", "ts", "t", "d", "iv", "b", "j", "jb", "tx", "fa",
                    "m", "u", "bo");
            ComparedTable table = new ComparedTable("public", "t", List.of("id"), columns);

            CompareResult r = new TableComparer(CompareOptions.defaults().withChunkSize(50))
                    .compare(source, target, table);
            assertThat(r.differences()).isEmpty();
            assertThat(r.identical()).isTrue();
            assertThat(r.sourceRows()).isEqualTo(500);

            // and a real change in a float is still seen (nextafter 0.1)
            execute(target, "UPDATE t SET f8 = 0.10000000000000002 WHERE id = 1");
            CompareResult changed = new TableComparer().compare(source, target, table);
            assertThat(changed.differences()).containsExactly(diff(Kind.DIFFERENT, "1"));
        }
    }

    /** The otj-pg-embedded servers as a source: the SQL must work on 9.3 (no jsonb, no WITH ORDINALITY). */
    @ParameterizedTest
    @ValueSource(strings = {"9.3", "9.5"})
    void oldSourcesCompareWith17(String version) throws Exception {
        String ddl = "CREATE TABLE \"Old\" (k text, n int, f8 float8, f4 float4, num numeric, ts timestamptz,"
                + " b bytea, j json, fa float4[], PRIMARY KEY (k, n))";
        String rows = "INSERT INTO \"Old\" SELECT chr(65 + g % 50) || g, g % 3, g / 7.0, g / 3.0, g / 7.0,"
                + " timestamptz '2001-02-03 04:05:06.789+02' + g * interval '1 min', decode(md5(g::text), 'hex'),"
                + " ('{\"g\": ' || g || '}')::json, ARRAY[g / 9.0, NULL] FROM generate_series(1, 300) g";
        try (PostgresServer old = PostgresServer.start(version);
             Connection source = old.connect("postgres"); Connection target = pg17.connect("limits")) {
            execute(source, ddl, rows, "INSERT INTO \"Old\" VALUES ('', 0, NULL, NULL, NULL, NULL, '', '\"\"', '{}')");
            execute(target, "DROP TABLE IF EXISTS \"Old\"", ddl);
            copyRows(old, "postgres", "\"Old\"", target, "\"Old\"");
            execute(target, "UPDATE \"Old\" SET f4 = f4 * 2 WHERE k = 'B1' AND n = 1");
            ComparedTable table = new ComparedTable("public", "Old", List.of("k", "n"),
                    List.of("k", "n", "f8", "f4", "num", "ts", "b", "j", "fa"));

            CompareResult r = new TableComparer(CompareOptions.defaults().withChunkSize(40))
                    .compare(source, target, table);

            assertThat(r.sourceRows()).isEqualTo(301);
            assertThat(r.targetRows()).isEqualTo(301);
            assertThat(r.differences()).containsExactly(diff(Kind.DIFFERENT, "B1", "1"));
        }
    }

    @Test
    void emptySideAndBadKeys() throws Exception {
        try (Connection source = pg17.connect("limits"); Connection target = pg96.connect("limits")) {
            execute(source, "CREATE TABLE t (id int PRIMARY KEY, v text)", "CREATE TABLE u (id int, v text)");
            execute(target, "CREATE TABLE t (id int PRIMARY KEY, v text)",
                    "INSERT INTO t SELECT g, 'x' FROM generate_series(1, 25) g");
            ComparedTable table = new ComparedTable("public", "t", List.of("id"), List.of("id", "v"));
            CompareResult r = new TableComparer(CompareOptions.defaults().withChunkSize(10).withMaxKeys(5))
                    .compare(source, target, table);
            assertThat(r.sourceRows()).isZero();
            assertThat(r.targetRows()).isEqualTo(25);
            assertThat(r.extraOnTarget()).isEqualTo(25);
            assertThat(r.differences()).hasSize(5);
            CompareResult reverse = new TableComparer(CompareOptions.defaults().withChunkSize(10))
                    .compare(target, source, table);
            assertThat(reverse.missingOnTarget()).isEqualTo(25);
            assertThat(reverse.ranges()).isEqualTo(3);

            assertThatThrownBy(() -> new TableComparer().compare(source, target,
                    new ComparedTable("public", "u", List.of("id"), List.of("id", "v"))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NOT NULL");
            assertThatThrownBy(() -> new TableComparer().compare(source, target,
                    new ComparedTable("public", "t", List.of("id"), List.of("id", "nope"))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
            assertThatThrownBy(() -> new ComparedTable("public", "t", List.of(), List.of("id")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(source.getAutoCommit()).isTrue();
            assertThat(query(source, "SELECT count(*) FROM t")).isEqualTo("0"); // still usable
        }
    }

    @Test
    void aMillionIdenticalRowsAcrossVersions() throws Exception {
        String ddl = "CREATE TABLE big (id int PRIMARY KEY, name text, amount numeric(12,2), ratio float8,"
                + " created timestamptz)";
        String rows = "INSERT INTO big SELECT g, 'name ' || g, g * 0.01, g / 3.0,"
                + " timestamptz '2020-01-01 00:00+00' + g * interval '1 second' FROM generate_series(1, 1000000) g";
        try (Connection source = pg96.connect("big"); Connection target = pg17.connect("big")) {
            long t0 = System.nanoTime();
            execute(source, ddl, rows, "ANALYZE big");
            execute(target, ddl, rows, "ANALYZE big");
            long loaded = System.nanoTime();
            List<Long> totals = new ArrayList<>();
            ComparedTable table = new ComparedTable("public", "big", List.of("id"),
                    List.of("id", "name", "amount", "ratio", "created"));
            CompareResult r = new TableComparer(CompareOptions.defaults().withChunkSize(10_000)
                    .withProgress((done, total) -> totals.add(total))).compare(source, target, table);
            long compared = System.nanoTime();
            System.out.printf("1M rows: load %.1f s, compare %.1f s (%d ranges), max heap %d MB%n",
                    (loaded - t0) / 1e9, (compared - loaded) / 1e9, r.ranges(),
                    Runtime.getRuntime().maxMemory() >> 20);
            assertThat(r.identical()).isTrue();
            assertThat(r.sourceRows()).isEqualTo(1_000_000);
            assertThat(r.targetRows()).isEqualTo(1_000_000);
            assertThat(r.ranges()).isEqualTo(101); // the last one is empty on the source: (1000000, infinity)
            assertThat(totals.get(0)).isBetween(900_000L, 1_100_000L);
        }
    }

    /** An ICU collation on 17 whose order differs from "C" (upper/lower case interleave), or "C" if 17 has no ICU. */
    private static String icuCollation(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE COLLATION IF NOT EXISTS \"en icu\" (provider = icu, locale = 'en-US')");
            return "\"en icu\"";
        } catch (SQLException noIcu) {
            return "\"C\"";
        }
    }

    private static KeyDifference diff(Kind kind, String... key) {
        return new KeyDifference(kind, List.of(key));
    }

    private static void copyRows(PostgresServer from, String db, String fromTable, Connection to, String toTable)
            throws Exception {
        try (Connection src = from.connect(db)) {
            var out = new java.io.ByteArrayOutputStream();
            src.unwrap(org.postgresql.PGConnection.class).getCopyAPI()
                    .copyOut("COPY " + fromTable + " TO STDOUT (FORMAT binary)", out);
            to.unwrap(org.postgresql.PGConnection.class).getCopyAPI()
                    .copyIn("COPY " + toTable + " FROM STDIN (FORMAT binary)",
                            new java.io.ByteArrayInputStream(out.toByteArray()));
        }
    }

    private static void execute(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
