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

/**
 * A backlog built while the daemon was away is applied in slices (here of 500 keys), each its own source and
 * target transaction, and the target still ends identical: composite text keys, key changes, deletes and a
 * truncate in the middle of the backlog.
 */
@ExtendWith(ServersPerClass.class)
class BacklogTest {

    @Server("17") static PostgresServer server;

    @Test
    void aBigBacklogIsAppliedInSlicesAndConverges() throws Exception {
        try (Replication r = new Replication(server, server)) {
            String ddl = "CREATE TABLE t (region text, id int, v text, PRIMARY KEY (region, id)); CREATE TABLE u (id int PRIMARY KEY, v text)";
            r.execBoth(ddl);
            syncOf(r, "t", "u");
            r.ibex.set("slice_keys", "500");
            r.execSource("INSERT INTO t SELECT CASE WHEN g % 3 = 0 THEN 'north' WHEN g % 3 = 1 THEN 'South ü' ELSE 'east''s' END, g, 'v' FROM generate_series(1, 6000) g",
                    "INSERT INTO u SELECT g, 'x' FROM generate_series(1, 2000) g",
                    "TRUNCATE u",
                    "INSERT INTO u SELECT g, 'after truncate' FROM generate_series(1, 1500) g",
                    "UPDATE t SET v = 'updated' WHERE id % 2 = 0",
                    "UPDATE t SET id = id + 100000 WHERE id % 7 = 0",
                    "DELETE FROM t WHERE id % 11 = 0");
            r.startDaemon();
            r.awaitConverged(Duration.ofSeconds(60), "public.t", "public.u");
            assertThat(r.count(false, "u")).isEqualTo(1500);
            assertThat(r.ibex.status("s").lastWithRows()).get().satisfies(run -> assertThat(run.inserts()).isGreaterThan(6000));
        }
    }

    /**
     * Integer keys: slices carry key ranges and run two at a time. Two rows in different slices swap a value of a
     * unique column, which no slice can apply alone; the table is then applied in one transaction.
     */
    @Test
    void slicesThatCollideOnAUniqueColumnFallBackToOneTransaction() throws Exception {
        try (Replication r = new Replication(server, server)) {
            String ddl = "CREATE TABLE w (id bigint PRIMARY KEY, code text NOT NULL UNIQUE, v numeric)";
            r.execSource(ddl, "INSERT INTO w SELECT g, 'c' || g, g FROM generate_series(1, 3000) g");
            r.execTarget(ddl, "INSERT INTO w SELECT g, 'c' || g, g FROM generate_series(1, 3000) g");
            syncOf(r, "w");
            r.ibex.set("slice_keys", "500");
            r.execSource("UPDATE w SET v = v * 2 WHERE id % 3 = 0",
                    "DELETE FROM w WHERE id % 13 = 0",
                    "INSERT INTO w SELECT g, 'c' || g, g FROM generate_series(3001, 4000) g",
                    "UPDATE w SET id = id + 10000 WHERE id BETWEEN 1500 AND 1600",
                    "BEGIN; UPDATE w SET code = 'swap' WHERE id = 2; UPDATE w SET code = 'c2' WHERE id = 2998;"
                            + " UPDATE w SET code = 'c2998' WHERE id = 2; COMMIT");
            r.startDaemon();
            r.awaitConverged(Duration.ofSeconds(60), "public.w");
            assertThat(r.count(false, "w")).isEqualTo(r.count(true, "w"));
        }
    }

    /**
     * A bulk change of consecutive integer keys: slices holding every integer of their range are applied by the
     * range alone (no keys sent, no join), here next to slices with gaps, deletes of a whole range and new rows past
     * the old end, and a key deleted and inserted again in one transaction.
     */
    @Test
    void slicesOfConsecutiveKeysAreAppliedByTheirRange() throws Exception {
        try (Replication r = new Replication(server, server)) {
            String ddl = "CREATE TABLE d (id int PRIMARY KEY, v text, n int)";
            r.execSource(ddl, "INSERT INTO d SELECT g, 'v' || g, g FROM generate_series(1, 5000) g");
            r.execTarget(ddl, "INSERT INTO d SELECT g, 'v' || g, g FROM generate_series(1, 5000) g");
            syncOf(r, "d");
            r.ibex.set("slice_keys", "500");
            r.execSource("UPDATE d SET v = 'bulk', n = n + 1 WHERE id <= 2000",
                    "DELETE FROM d WHERE id BETWEEN 2001 AND 2600",
                    "UPDATE d SET v = 'sparse' WHERE id % 10 = 0",
                    "INSERT INTO d SELECT g, 'new', g FROM generate_series(5001, 6200) g",
                    "BEGIN; DELETE FROM d WHERE id = 3000; INSERT INTO d VALUES (3000, 'again', 0); COMMIT");
            r.startDaemon();
            r.awaitConverged(Duration.ofSeconds(60), "public.d");
            assertThat(r.count(false, "d")).isEqualTo(5000 - 600 + 1200);
            assertThat(r.count(true, "d")).isEqualTo(r.count(false, "d"));
        }
    }

    /**
     * Rows too wide to keep within the daemon's budget for one batch (128 MB of COPY text here) are streamed from
     * the source while the target applies them, and the tables after them in the same batch are read then too.
     */
    @Test
    void rowsTooWideToKeepAreStreamedWithTheTablesAfterThem() throws Exception {
        try (Replication r = new Replication(server, server)) {
            String ddl = "CREATE TABLE a_wide (id int PRIMARY KEY, v text); CREATE TABLE b_small (id int PRIMARY KEY, v text)";
            r.execBoth(ddl);
            syncOf(r, "a_wide", "b_small");
            r.execSource("BEGIN; INSERT INTO a_wide SELECT g, repeat(md5(g::text), 15000) FROM generate_series(1, 300) g;"
                    + " INSERT INTO b_small SELECT g, 'b' || g FROM generate_series(1, 500) g; COMMIT");
            r.startDaemon();
            r.awaitConverged(Duration.ofSeconds(120), "public.a_wide", "public.b_small");
            assertThat(r.count(false, "a_wide")).isEqualTo(300);
            assertThat(r.count(false, "b_small")).isEqualTo(500);
        }
    }

    /** Sync "s" from the source to the target over the given tables. */
    private static void syncOf(Replication r, String... tables) {
        r.addDatabases();
        r.ibex.addTables(List.of(tables), Map.of("db", "source", "relgroup", "rg"), false);
        r.ibex.addSync("s", Map.of("relgroup", "rg", "db", "source,target"));
    }
}
