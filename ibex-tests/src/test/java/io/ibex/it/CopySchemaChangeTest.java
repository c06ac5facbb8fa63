package io.ibex.it;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 23, copy gating: a column added on a 9.6 source, with a default, while the sync's onetimecopy runs (after the
 * copy's snapshot, before the copy reaches the table). On 9.6 that ALTER rewrites the table, which the copy's older
 * snapshot then reads empty; the first batch after the copy finds the column and copies the table whole again, so
 * the copy and the changes after it agree on the columns: nothing lost, the sync not failed, convergence by row
 * counts and content hash, the column and its values on the target.
 */
@Tag("slow") // a 9.6 server and a 300000-row copy: about a minute on this machine, over the fast tier's budget
@ExtendWith(ServersPerClass.class)
class CopySchemaChangeTest {

    @Server("9.6") static PostgresServer source;
    @Server("17") static PostgresServer target;

    @Test
    void aColumnAddedWhileTheCopyRunsIsCopiedWithItsValues() throws Exception {
        try (Replication r = new Replication(source, target)) {
            r.execBoth("CREATE TABLE a (id int PRIMARY KEY, pad text)", "CREATE TABLE t (id int PRIMARY KEY, v int)");
            r.execSource("INSERT INTO a SELECT g, repeat('x', 200) FROM generate_series(1, 300000) g",
                    "INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g", "ANALYZE a", "ANALYZE t");
            r.addDatabases();
            r.ibex.set("copy_parallelism", "1"); // a (the biggest) first, then t: the ALTER lands in between
            r.ibex.addTables(List.of("a", "t"), Map.of("db", "source", "relgroup", "rg"), false);
            r.ibex.addSync("s", Map.of("relgroup", "rg", "db", "source,target", "onetimecopy", "1"));
            r.startDaemon();
            awaitCopyOfA(r);
            r.execSource("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 7", "UPDATE t SET c = id + 1000 WHERE id <= 100",
                    "INSERT INTO t (id, v) VALUES (1001, 1001)");
            r.awaitConverged(Duration.ofSeconds(90), "public.a", "public.t");
            assertThat(r.ibex.status("s").held()).isEmpty();
            assertThat(r.count(false, "t")).isEqualTo(1001);
            assertThat(r.count(false, "t WHERE c = id + 1000")).isEqualTo(100);
            assertThat(r.count(false, "t WHERE c = 7")).isEqualTo(901);
        }
    }

    /** Until the copy of a is under way on the source (a COPY of it running), or 30 s. */
    private static void awaitCopyOfA(Replication r) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Connection c = r.source(); Statement st = c.createStatement()) {
            while (System.nanoTime() < until) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'COPY%' AND query LIKE '%\"a\"%' "
                        + "AND pid <> pg_backend_pid()")) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(10);
            }
        }
    }
}
