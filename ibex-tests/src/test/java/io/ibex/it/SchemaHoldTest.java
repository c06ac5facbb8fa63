package io.ibex.it;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 23: what the daemon cannot follow by itself holds only the table concerned, with one line naming the table,
 * the column and the way out; the sync's other tables go on, the held table's changes are kept (a purge in between
 * deletes none of them) and follow once the target has the change. A column dropped on the source that the target
 * keeps (nullable) holds nothing.
 */
@ExtendWith(ServersPerClass.class)
class SchemaHoldTest {

    @Server("17") static PostgresServer pg;

    /** Two tables t and u (v int on t), rows in both, the daemon running and caught up. */
    private static Replication started() throws Exception {
        Replication r = new Replication(pg, pg);
        r.execBoth("CREATE TABLE t (id int PRIMARY KEY, v int, x text NOT NULL DEFAULT 'x')", "CREATE TABLE u (id int PRIMARY KEY, w text)");
        r.addDatabases();
        r.addSync("s", "t", "u");
        r.startDaemon();
        r.execSource("INSERT INTO t (id, v) SELECT g, g FROM generate_series(1, 100) g", "INSERT INTO u SELECT g, 'a' FROM generate_series(1, 100) g");
        r.awaitConverged(Duration.ofSeconds(30), "public.t", "public.u");
        return r;
    }

    private static void kick(Replication r) {
        var k = r.ibex.kick("s");
        assertThat(r.ibex.awaitRun("s", k, Duration.ofSeconds(30), d -> { })).isEqualTo(Ibex.KickOutcome.DONE);
    }

    /** Writes to both tables, kicks, and checks: u goes on, t is held with a message containing every part given. */
    private static void heldWith(Replication r, String... parts) throws Exception {
        r.execSource("INSERT INTO u SELECT g, 'b' FROM generate_series(101, 200) g", "UPDATE t SET id = id + 1000 WHERE id <= 10");
        kick(r);
        r.awaitConverged(Duration.ofSeconds(30), "public.u");
        List<String> held = r.ibex.status("s").held();
        assertThat(held).hasSize(1);
        assertThat(held.get(0)).startsWith("public.t for target: ").contains(parts);
        assertThat(r.ibex.status("s").currentState()).contains("holding 1 table");
        assertThat(r.count(false, "t WHERE id > 1000")).as("held: nothing of t applied").isZero();
        r.ibex.purge(); // the held table's changes are kept
        r.execSource("DELETE FROM t WHERE id BETWEEN 20 AND 29");
        kick(r);
    }

    /** After the fix on the target, 'ibex activate' says the table is released, and its changes since the hold arrive. */
    private static void releasedAfter(Replication r, String targetFix) throws Exception {
        r.execTarget(targetFix);
        assertThat(r.ibex.activateReporting(List.of("s")).get("s")).singleElement().asString()
                .startsWith("Released public.t for target: its columns agree again");
        r.awaitConverged(Duration.ofSeconds(30), "public.t", "public.u");
        kick(r);
        assertThat(r.ibex.status("s").held()).isEmpty();
        assertThat(r.count(false, "t WHERE id > 1000")).isEqualTo(10);
        assertThat(r.count(false, "t")).isEqualTo(90);
    }

    @Test
    void aTypeChangeHoldsOnlyThatTable() throws Exception {
        try (Replication r = started()) {
            r.execSource("ALTER TABLE t ALTER COLUMN v TYPE bigint");
            heldWith(r, "column public.t.v changed type on the source from integer to bigint", "ibex ddl s", "ibex activate s");
            releasedAfter(r, "ALTER TABLE t ALTER COLUMN v TYPE bigint");
        }
    }

    @Test
    void aRenameHolds() throws Exception {
        try (Replication r = started()) {
            r.execSource("ALTER TABLE t RENAME COLUMN v TO v2");
            heldWith(r, "v of public.t are gone from the source and v2 are new (a rename?)", "ibex ddl s");
            releasedAfter(r, "ALTER TABLE t RENAME COLUMN v TO v2");
        }
    }

    @Test
    void aDropOfAColumnTheTargetNeedsHolds() throws Exception {
        try (Replication r = started()) {
            r.execTarget("ALTER TABLE t ALTER COLUMN x DROP DEFAULT");
            r.execSource("ALTER TABLE t DROP COLUMN x");
            heldWith(r, "column public.t.x was dropped on the source", "NOT NULL without a default");
            releasedAfter(r, "ALTER TABLE t DROP COLUMN x");
        }
    }

    @Test
    void anAddedColumnWithDdlHoldWaitsForTheTarget() throws Exception {
        try (Replication r = started()) {
            r.ibex.update("sync", "s", Map.of("ddl", "hold"));
            r.execSource("ALTER TABLE t ADD COLUMN n numeric(10,2) DEFAULT 1.5");
            heldWith(r, "column(s) n numeric(10,2) of public.t added on the source (ddl=hold)", "ibex update sync s ddl=auto");
            releasedAfter(r, "ALTER TABLE t ADD COLUMN n numeric(10,2) DEFAULT 1.5");
        }
    }

    @Test
    void aKeyThatGainsAColumnHolds() throws Exception {
        try (Replication r = started()) {
            r.execSource("ALTER TABLE t ADD COLUMN k int NOT NULL DEFAULT 0", "ALTER TABLE t DROP CONSTRAINT t_pkey", "ALTER TABLE t ADD PRIMARY KEY (id, k)");
            heldWith(r, "the key of public.t changed from (id) to (id, k) on the source", "remove the table from the sync and add it again");
        }
    }

    @Test
    void anIdentityColumnAddedIsCopiedWithItsValues() throws Exception {
        try (Replication r = started()) {
            r.execSource("ALTER TABLE t ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY", "UPDATE t SET v = -v WHERE id <= 5");
            kick(r);
            assertThat(r.ibex.status("s").held()).isEmpty();
            r.awaitConverged(Duration.ofSeconds(30), "public.t", "public.u");
        }
    }

    @Test
    void aColumnDroppedOnTheSourceThatTheTargetMayLeaveEmptyHoldsNothing() throws Exception {
        try (Replication r = started()) {
            r.execSource("ALTER TABLE t DROP COLUMN x");
            r.execSource("INSERT INTO t (id, v) SELECT g, g FROM generate_series(101, 150) g", "UPDATE t SET v = -v WHERE id <= 50");
            kick(r);
            assertThat(r.ibex.status("s").held()).isEmpty();
            assertThat(rows(r, true)).hasSize(150).isEqualTo(rows(r, false));
        }
    }

    @Test
    void ibexDdlRunsOnTheSourceAndOnEveryTargetAtItsPoint() throws Exception {
        try (Replication r = new Replication(pg, pg)) {
            String ddl = "CREATE TABLE t (id int PRIMARY KEY, v int, x text NOT NULL DEFAULT 'x')";
            r.execBoth(ddl, "CREATE TABLE u (id int PRIMARY KEY, w text)");
            io.ibex.testkit.Db second = io.ibex.testkit.Db.create("target2", pg, r.targetDb + "_2");
            second.exec(ddl, "CREATE TABLE u (id int PRIMARY KEY, w text)");
            r.addDatabases();
            r.ibex.addDatabase("target2", second.params(), false);
            r.ibex.addTables(List.of("t", "u"), Map.of("db", "source", "relgroup", "rg"), false);
            r.ibex.addSync("s", Map.of("relgroup", "rg", "db", "source,target,target2"));
            r.startDaemon();
            r.execSource("INSERT INTO t (id, v) SELECT g, g FROM generate_series(1, 100) g");
            kick(r);
            var result = r.ibex.ddl("s", "ALTER TABLE t RENAME COLUMN v TO value");
            assertThat(result.ranOn()).containsExactly("source");
            assertThat(result.queuedFor()).containsExactlyInAnyOrder("target", "target2");
            r.execSource("UPDATE t SET value = value * 10 WHERE id <= 50", "INSERT INTO t (id, value) VALUES (101, 101)");
            kick(r);
            assertThat(r.ibex.status("s").held()).isEmpty();
            io.ibex.testkit.Convergence.awaitAllEqual(Duration.ofSeconds(30), List.of("public.t", "public.u"), List.of(
                    new io.ibex.testkit.Db("source", pg, r.sourceDb), new io.ibex.testkit.Db("target", pg, r.targetDb), second));
            try (Connection c = second.connect(); var st = c.createStatement(); var rs = st.executeQuery("SELECT sum(value) FROM t")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(50 * 51 / 2 * 10 + (5050 - 50 * 51 / 2) + 101);
            }
        }
    }

    private static List<String> rows(Replication r, boolean source) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = source ? r.source() : r.target(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT id, v FROM t ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getLong(1) + ":" + rs.getLong(2));
            }
        }
        return out;
    }
}
