package io.ibex.it.othertargets;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A MariaDB server with {@code local_infile} off (MySQL 8's default) takes no {@code LOAD DATA LOCAL INFILE}: the
 * adapter then writes batched INSERTs, and every path must still converge: the initial copy into tables it creates,
 * a bulk UPDATE of consecutive ids applied in key-range slices with deletes in the same transaction, keyed changes
 * on a composite text key, while the source takes a write load. The server setting is global: it is turned off
 * only while this test's daemon opens its MariaDB sessions (the adapter reads it once per session) and put back
 * as it was in every case; MariaDB tests of the suite run one at a time.
 */
@ExtendWith(ServersPerClass.class)
class MariaDbWithoutLocalInfileTest {

    @Server("10") static PostgresServer server;

    @Test
    void withoutLocalInfileRowsGoAsBatchedInsertsAndConverge() throws Exception {
        try (Replication r = new Replication(server, server); MariaDb maria = new MariaDb()) {
            r.execSource("CREATE TABLE pair (a int, b text, v int, PRIMARY KEY (a, b))",
                    "INSERT INTO pair SELECT g % 50, 'k' || g, g FROM generate_series(1, 1000) g",
                    "CREATE TABLE bulk (id int PRIMARY KEY, v int, note text)",
                    "INSERT INTO bulk SELECT g, 0, E'row\\t\\\\' || g FROM generate_series(1, " + OtherTargetsCreateTest.BULK + ") g");
            Ibex ibex = r.ibex;
            ibex.addDatabase("source", Replication.dbParams(server, r.sourceDb), false);
            ibex.addDatabase("maria", maria.params(), false);
            ibex.addTables(List.of("pair", "bulk"), Map.of("db", "source", "relgroup", "rg"), false);
            ibex.addSync("s", Map.of("relgroup", "rg", "db", "source,maria", "onetimecopy", "1"));
            boolean was = localInfile(null);
            long loadsBefore = loadDataStatements();
            try {
                localInfile(false);
                r.startDaemon();
                OtherTargets.awaitVerified(ibex, "s", Duration.ofSeconds(120));
                OtherTargetsCreateTest.assertHashesEqual(r, maria);

                CompletableFuture<Void> load = writeLoad(r, 200);
                r.execSource("BEGIN; UPDATE bulk SET v = v + 1, note = note || E'\\f\\v\\b'; DELETE FROM bulk WHERE id % 1000 = 7; COMMIT",
                        "BEGIN; UPDATE pair SET v = -v WHERE a = 3; DELETE FROM pair WHERE a = 4; INSERT INTO pair VALUES (99, 'tab\there', 1); COMMIT");
                load.get(60, TimeUnit.SECONDS);
                Ibex.Verification v = OtherTargets.awaitVerified(ibex, "s", Duration.ofSeconds(120));
                long bulkRows = r.count(true, "bulk");
                assertThat(bulkRows).isEqualTo(OtherTargetsCreateTest.BULK - OtherTargetsCreateTest.BULK / 1000);
                assertThat(v.tables()).filteredOn(t -> t.table().endsWith("bulk")).singleElement()
                        .satisfies(t -> assertThat(t.targetRows()).isEqualTo(bulkRows));
                assertThat(maria.count("pair")).isEqualTo(r.count(true, "pair"));
                OtherTargetsCreateTest.assertHashesEqual(r, maria);
                assertThat(loadDataStatements()).as("LOAD DATA statements run by the server meanwhile").isEqualTo(loadsBefore);
            } finally {
                localInfile(was);
            }
        }
    }

    /** Small transactions on pair (inserts of keys 1000 and up, updates, some of the inserted deleted again) while the bulk change goes. */
    private static CompletableFuture<Void> writeLoad(Replication r, int transactions) {
        return CompletableFuture.runAsync(() -> {
            try (Connection c = r.source(); Statement s = c.createStatement()) {
                for (int i = 0; i < transactions; i++) {
                    String delete = i % 3 == 0 ? "DELETE FROM pair WHERE a = " + (1000 + i / 2) + "; " : "";
                    s.execute("BEGIN; INSERT INTO pair VALUES (" + (1000 + i) + ", 'load', " + i + "); UPDATE pair SET v = v + 1 WHERE a = "
                            + (i % 50) + "; " + delete + "COMMIT");
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The server's count of LOAD DATA statements since it started (Com_load). */
    private static long loadDataStatements() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + MariaDb.HOST + ":" + MariaDb.PORT + "/", "root", null);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Com_load'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    /** Sets the server's local_infile (null: leaves it) and returns what it was. */
    private static boolean localInfile(Boolean on) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + MariaDb.HOST + ":" + MariaDb.PORT + "/", "root", null);
             Statement s = c.createStatement()) {
            boolean was;
            try (ResultSet rs = s.executeQuery("SELECT @@GLOBAL.local_infile")) {
                rs.next();
                was = rs.getBoolean(1);
            }
            if (on != null) {
                s.execute("SET GLOBAL local_infile = " + (on ? 1 : 0));
            }
            return was;
        }
    }
}
