package io.ibex.it.othertargets;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.model.SyncRun;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every common PostgreSQL type into MariaDB and SQLite: the tables made with the CREATE TABLE that ibex's refusal
 * names (the documented mapping), the rows copied (onetimecopy=1) and changed, then compared value by value by
 * {@code ibex verify} and read back directly; a value the target cannot hold turns the sync Bad with the column named.
 */
@ExtendWith(ServersPerClass.class)
class TypeMappingTest {

    @Server("17") static PostgresServer server;
    @TempDir Path dir;

    static final String TYPES_DDL = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE TABLE alltypes (
              id int8 PRIMARY KEY, i2 int2, i4 int4, num numeric(30,10), f4 float4, f8 float8, txt text, vc varchar(20),
              ch char(5), bin bytea, flag bool, d date, tm time, ts timestamp, tstz timestamptz, iv interval, u uuid,
              js json, jsb jsonb, arr int[], tarr text[], m mood)""";

    static final String TYPES_ROWS = """
            INSERT INTO alltypes VALUES
             (1, 1, 2, 3.1415926535, 1.2345678, 0.1, 'plain', 'v', 'ab', '\\x00ff10'::bytea, true, '2024-02-29', '23:59:59.999999',
              '2024-01-01 00:00:00', '2024-06-01 12:00:00.123456+02', '1 year 2 mons 3 days 04:05:06',
              'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2, {"b": null}]}', '{"z": 1, "a": "é"}', '{1,2,NULL}',
              '{"with space","quote\\"d","back\\\\slash"}', 'happy'),
             (2, -32768, -2147483648, -0.000000001, -1.25e-5, -1e308, E'tab\\there, newline\\n, form\\ffeed, backslash \\\\ ☃ 🐐',
              'ünïcødé', '', ''::bytea, false, '1000-01-01', '00:00', '1970-01-01 00:00:00.000001', '2038-01-19 03:14:08+00',
              '-1 days', '00000000-0000-0000-0000-000000000000', 'null', '[]', '{}', '{}', 'sad'),
             (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)""";

    @Test
    void everyCommonTypeIntoMariaDbAndSqliteComparesEqualValueByValue() throws Exception {
        try (Replication r = new Replication(server, server); MariaDb maria = new MariaDb()) {
            r.execSource(TYPES_DDL, TYPES_ROWS);
            String lite = dir.resolve("types.db").toString();
            Ibex ibex = r.ibex;
            ibex.addDatabase("source", Replication.dbParams(server, r.sourceDb), false);
            ibex.addDatabase("maria", maria.params(), false);
            ibex.addDatabase("lite", Map.of("type", "sqlite", "dbname", lite), false);
            ibex.addTables(List.of("alltypes"), Map.of("db", "source", "relgroup", "rg"), false);
            Map<String, String> sync = Map.of("relgroup", "rg", "db", "source,maria,lite", "onetimecopy", "1");

            // each target lacks the table and create_tables is off: the refusal is one line that names the CREATE TABLE
            // of the mapping (OtherTargetsCreateTest has the copy create them)
            ibex.set("create_tables", "off");
            String mariaDdl = createTableFrom(assertThatThrownBy(() -> ibex.addSync("s", sync)));
            assertThat(mariaDdl).contains("\"bin\" LONGBLOB", "\"tstz\" DATETIME(6)", "\"num\" DECIMAL(30,10)", "\"id\" BIGINT NOT NULL");
            maria.exec(mariaDdl);
            String liteDdl = createTableFrom(assertThatThrownBy(() -> ibex.addSync("s", sync)));
            OtherTargetsTest.sqlite(lite, liteDdl);
            ibex.addSync("s", sync);

            r.startDaemon();
            OtherTargets.awaitVerified(ibex, "s", Duration.ofSeconds(60));
            r.execSource("UPDATE alltypes SET txt = txt || ' changed', f8 = 0.1 + 0.2, jsb = jsb || '{\"new\": true}', arr = arr || 4 WHERE id = 1",
                    "INSERT INTO alltypes (id, txt, tstz) VALUES (4, 'later', '2024-12-31 23:59:59.999999-05')", "DELETE FROM alltypes WHERE id = 3");
            Ibex.Verification v = OtherTargets.awaitVerified(ibex, "s", Duration.ofSeconds(60));
            assertThat(v.tables()).allSatisfy(t -> assertThat(t.targetRows()).isEqualTo(3));

            try (Connection c = maria.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT tstz, bin, flag, js, ch, u, iv FROM alltypes WHERE id = 1")) {
                rs.next();
                assertThat(rs.getString(1)).as("timestamptz in UTC").startsWith("2024-06-01 10:00:00.123456");
                assertThat(rs.getBytes(2)).containsExactly(0x00, 0xff, 0x10);
                assertThat(rs.getInt(3)).isEqualTo(1);
                assertThat(rs.getString(4)).isEqualTo("{\"a\": [1, 2, {\"b\": null}]}");
                assertThat(rs.getString(5)).isEqualTo("ab");
                assertThat(rs.getString(6)).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
                assertThat(rs.getString(7)).isEqualTo("1 year 2 mons 3 days 04:05:06");
            }
            // verify sees a value that differs on the target
            maria.exec("UPDATE alltypes SET f4 = 2.5 WHERE id = 2");
            Ibex.Verification tampered = ibex.verify("s", List.of(), 10, (t, target, done, total) -> { });
            assertThat(tampered.identical()).isFalse();
            assertThat(tampered.tables()).filteredOn(t -> t.target().equals("maria")).singleElement()
                    .satisfies(t -> assertThat(t.details().different()).isEqualTo(1));
        }
    }

    private static String createTableFrom(org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> refusal) {
        String[] message = new String[1];
        refusal.isInstanceOf(IbexException.class).hasMessageContaining("has no table alltypes")
                .satisfies(e -> message[0] = e.getMessage());
        assertThat(message[0]).doesNotContain("\n");
        return message[0].substring(message[0].indexOf("CREATE TABLE"));
    }

    @Test
    void aValueTheTargetCannotHoldTurnsTheSyncBadNamingTheColumn() throws Exception {
        try (Replication r = new Replication(server, server); MariaDb maria = new MariaDb()) {
            r.execSource("CREATE TABLE small (id int PRIMARY KEY, v int)", "CREATE TABLE odd (id int PRIMARY KEY, x numeric)");
            maria.exec("CREATE TABLE small (id INT PRIMARY KEY, v SMALLINT)", "CREATE TABLE odd (id INT PRIMARY KEY, x DECIMAL(65,30))");
            Ibex ibex = r.ibex;
            ibex.addDatabase("source", Replication.dbParams(server, r.sourceDb), false);
            ibex.addDatabase("maria", maria.params(), false);
            ibex.addTables(List.of("small"), Map.of("db", "source", "relgroup", "a"), false);
            ibex.addTables(List.of("odd"), Map.of("db", "source", "relgroup", "b"), false);
            ibex.addSync("small", Map.of("relgroup", "a", "db", "source,maria"));
            ibex.addSync("odd", Map.of("relgroup", "b", "db", "source,maria"));
            r.startDaemon();
            r.execSource("INSERT INTO small VALUES (1, 100000)", "INSERT INTO odd VALUES (1, 'NaN')");
            for (String s : List.of("small", "odd")) {
                Waits.await(Duration.ofSeconds(30), s + " Bad", Waits.quietly(() -> ibex.status(s).currentState().equals("Bad")));
            }
            assertThat(ibex.status("small").lastBad().map(SyncRun::error).orElse("")).contains("maria").contains("column 'v'")
                    .doesNotContain("\n");
            assertThat(ibex.status("odd").lastBad().map(SyncRun::error).orElse("")).contains("column x of odd (numeric): value NaN")
                    .doesNotContain("\n");
            assertThat(maria.count("small")).as("nothing half-done").isZero();
            // fixed on the source: the syncs turn Good by themselves and the rows arrive
            r.execSource("UPDATE small SET v = 7", "UPDATE odd SET x = 1.5");
            Ibex.Verification v = OtherTargets.awaitVerified(ibex, "small", Duration.ofSeconds(60));
            assertThat(v.tables().get(0).targetRows()).isEqualTo(1);
            OtherTargets.awaitVerified(ibex, "odd", Duration.ofSeconds(60));
        }
    }
}
