package io.ibex.it.othertargets;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A MariaDB database and a SQLite file that lack every table of the sync: its initial copy (onetimecopy=1, with
 * create_tables on as by default) creates them from the source's columns with the documented type mapping, primary
 * keys included, and copies the rows. Then changes that take every path of the MariaDB adapter's LOAD DATA ... REPLACE:
 * a bulk UPDATE of consecutive ids applied in key-range slices with some ids deleted in the same transaction (the
 * keys gone are deleted, the others replaced in place), and keyed changes on a composite text key. Convergence is
 * {@code ibex verify} (row counts and every value) plus a content hash computed by each server on its own rows.
 */
@ExtendWith(ServersPerClass.class)
class OtherTargetsCreateTest {

    @Server("17") static PostgresServer server;
    @TempDir Path dir;

    static final int BULK = 21_000; // above the 20,000 changes from which a table is applied in slices

    @Test
    void theInitialCopyCreatesTheMissingTablesWithTheMappingAndChangesFollow() throws Exception {
        try (Replication r = new Replication(server, server); MariaDb maria = new MariaDb()) {
            r.execSource(TypeMappingTest.TYPES_DDL, TypeMappingTest.TYPES_ROWS,
                    "CREATE TABLE pair (a int, b text, v int, PRIMARY KEY (a, b))",
                    "INSERT INTO pair SELECT g % 50, 'k' || g, g FROM generate_series(1, 1000) g",
                    "CREATE TABLE bulk (id int PRIMARY KEY, v int, note text)",
                    "INSERT INTO bulk SELECT g, 0, E'row\\t\\\\' || g FROM generate_series(1, " + BULK + ") g");
            String lite = dir.resolve("created.db").toString();
            Ibex ibex = r.ibex;
            ibex.addDatabase("source", Replication.dbParams(server, r.sourceDb), false);
            ibex.addDatabase("maria", maria.params(), false);
            ibex.addDatabase("lite", Map.of("type", "sqlite", "dbname", lite), false);
            ibex.addTables(List.of("alltypes", "pair", "bulk"), Map.of("db", "source", "relgroup", "rg"), false);
            ibex.addSync("s", Map.of("relgroup", "rg", "db", "source,maria,lite", "onetimecopy", "1")); // not refused
            r.startDaemon();
            OtherTargets.awaitVerified(ibex, "s", Duration.ofSeconds(120));

            assertThat(mariaColumnTypes(maria, "alltypes")).containsEntry("id", "bigint(20)").containsEntry("num", "decimal(30,10)")
                    .containsEntry("tstz", "datetime(6)").containsEntry("bin", "longblob").containsEntry("flag", "tinyint(1)")
                    .containsEntry("vc", "varchar(20)").containsEntry("u", "char(36)");
            assertThat(mariaKey(maria, "pair")).isEqualTo("a,b");
            assertThat(sqliteKey(lite, "bulk")).isEqualTo("id");
            assertHashesEqual(r, maria);

            r.execSource("BEGIN; UPDATE bulk SET v = v + 1, note = note || E'\\f\\v\\b'; DELETE FROM bulk WHERE id % 1000 = 7;"
                            + " DELETE FROM bulk WHERE id > " + (BULK - 50) + "; COMMIT",
                    "BEGIN; UPDATE pair SET v = -v WHERE a = 3; DELETE FROM pair WHERE a = 4; INSERT INTO pair VALUES (99, 'tab\there', 1); COMMIT");
            Ibex.Verification v = OtherTargets.awaitVerified(ibex, "s", Duration.ofSeconds(120));
            long bulkRows = r.count(true, "bulk");
            assertThat(bulkRows).isEqualTo(BULK - BULK / 1000 - 50);
            assertThat(v.tables()).filteredOn(t -> t.table().endsWith("bulk")).hasSize(2)
                    .allSatisfy(t -> assertThat(t.targetRows()).isEqualTo(bulkRows));
            assertThat(maria.count("bulk")).isEqualTo(bulkRows);
            assertThat(maria.count("pair")).isEqualTo(r.count(true, "pair"));
            assertHashesEqual(r, maria);
        }
    }

    /** Each server hashes its own rows of bulk and pair, in key order: the same text, so the same md5. */
    static void assertHashesEqual(Replication r, MariaDb maria) throws SQLException {
        Map<String, String> pg = new HashMap<>();
        try (Connection c = r.source(); Statement s = c.createStatement()) {
            pg.put("bulk", one(s, "SELECT md5(string_agg(id || ':' || v || ':' || note, ',' ORDER BY id)) FROM bulk"));
            pg.put("pair", one(s, "SELECT md5(string_agg(a || ':' || b || ':' || v, ',' ORDER BY a, b COLLATE \"C\")) FROM pair"));
        }
        try (Connection c = maria.connect(); Statement s = c.createStatement()) {
            s.execute("SET SESSION group_concat_max_len = 1000000000");
            assertThat(one(s, "SELECT md5(GROUP_CONCAT(CONCAT(id, ':', v, ':', note) ORDER BY id SEPARATOR ',')) FROM bulk"))
                    .as("content hash of bulk").isEqualTo(pg.get("bulk"));
            assertThat(one(s, "SELECT md5(GROUP_CONCAT(CONCAT(a, ':', b, ':', v) ORDER BY a, CAST(b AS BINARY) SEPARATOR ',')) FROM pair"))
                    .as("content hash of pair").isEqualTo(pg.get("pair"));
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Map<String, String> mariaColumnTypes(MariaDb maria, String table) throws SQLException {
        Map<String, String> types = new HashMap<>();
        try (Connection c = maria.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT column_name, column_type FROM information_schema.columns WHERE table_schema = DATABASE()"
                     + " AND table_name = '" + table + "'")) {
            while (rs.next()) {
                types.put(rs.getString(1), rs.getString(2));
            }
        }
        return types;
    }

    private static String mariaKey(MariaDb maria, String table) throws SQLException {
        try (Connection c = maria.connect(); Statement s = c.createStatement()) {
            return one(s, "SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.key_column_usage"
                    + " WHERE table_schema = DATABASE() AND table_name = '" + table + "' AND constraint_name = 'PRIMARY'");
        }
    }

    private static String sqliteKey(String file, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            return one(s, "SELECT group_concat(name) FROM pragma_table_info('" + table + "') WHERE pk > 0");
        }
    }
}
