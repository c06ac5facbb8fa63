package io.ibex.it;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Bank;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.workload.Pgbench;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** onetimecopy loads the targets from one source snapshot, then the changes made during the copy follow. */
@ExtendWith(ServersPerClass.class)
class InitialCopyTest {

    @Server("17") static PostgresServer source;
    @Server("17") static PostgresServer target;

    static final String[] TABLES = {"public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers"};

    @Test
    void onetimecopyOfAMillionRowsUnderConcurrentWritesEndsIdentical() throws Exception {
        try (Replication r = new Replication(source, target)) {
            Bank.initialize(r, 10, 100, 1_000_000);
            r.addDatabases();
            r.ibex.addTables(List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers"), Map.of("db", "source", "herd", "bench"), false);
            r.ibex.addSync("bench", Map.of("relgroup", "bench", "db", "source,target", "onetimecopy", "1", "rebuild_index", "1"));
            Pgbench.Load load = new Pgbench.Load(source.connectionSupplier(r.sourceDb), 3).duration(Duration.ofSeconds(6)).start();
            r.startDaemon();
            load.awaitDone();
            assertThat(load.transactions()).isGreaterThan(100);
            r.awaitConverged(Duration.ofSeconds(120), TABLES);
            assertThat(r.ibex.syncs().get(0).onetimecopy()).isZero();
            assertThat(r.count(false, "pgbench_accounts")).isEqualTo(1_000_000);
            assertThat(r.ibex.copyProgress("bench")).extracting(p -> p.table(), p -> p.rowsCopied(), p -> p.finished() != null)
                    .contains(org.assertj.core.groups.Tuple.tuple("public.pgbench_accounts", 1_000_000L, true));
        }
    }

    @Test
    void onetimecopyTwoCopiesAnEmptyMillionRowTableSkipsLoadedOnesAndKeepsTheirChanges() throws Exception {
        try (Replication r = new Replication(source, target)) {
            r.execSource("CREATE TABLE loaded (id int PRIMARY KEY, v text)", "CREATE TABLE fresh (id int PRIMARY KEY, v text)",
                    "INSERT INTO loaded SELECT g, 'x' FROM generate_series(1, 1000) g", "INSERT INTO fresh SELECT g, 'y' FROM generate_series(1, 1000000) g");
            r.execTarget("CREATE TABLE loaded (id int PRIMARY KEY, v text)", "CREATE TABLE fresh (id int PRIMARY KEY, v text)",
                    "INSERT INTO loaded SELECT g, 'x' FROM generate_series(1, 1000) g");
            r.addDatabases();
            r.ibex.addTables(List.of("loaded", "fresh"), Map.of("db", "source", "herd", "two"), false);
            r.ibex.addSync("two", Map.of("relgroup", "two", "db", "source,target", "onetimecopy", "2"));
            // changed after the sync was added and before it ran: must reach the loaded table, which is not copied
            r.execSource("UPDATE loaded SET v = 'changed' WHERE id <= 10", "DELETE FROM loaded WHERE id > 990");
            r.startDaemon();
            // writes while the copy runs
            for (int i = 0; i < 20; i++) {
                r.execSource("UPDATE fresh SET v = 'during " + i + "' WHERE id % 1000 = " + i, "UPDATE loaded SET v = 'during' WHERE id = " + (i + 20));
                Thread.sleep(100);
            }
            r.awaitConverged(Duration.ofSeconds(120), "public.loaded", "public.fresh");
            assertThat(r.count(false, "fresh")).isEqualTo(1_000_000);
        }
    }

    @Test
    void fullcopyReplicatesATableWithoutAPrimaryKeyOnEachKick() throws Exception {
        try (Replication r = new Replication(source, target)) {
            String ddl = "CREATE TABLE history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))";
            r.execSource(ddl, "INSERT INTO history SELECT g % 10, 1, g, g % 7, now(), 'x' FROM generate_series(1, 5000) g");
            r.execTarget(ddl, "INSERT INTO history VALUES (1, 1, 1, 1, now(), 'stale row')");
            r.addDatabases();
            r.ibex.addTables(List.of("history"), Map.of("db", "source", "herd", "nopk"), false);
            assertThatThrownBy(() -> r.ibex.addSync("bad", Map.of("relgroup", "nopk", "db", "source,target")))
                    .hasMessageContaining("no primary key").hasMessageContaining("fullcopy");
            r.ibex.addDbGroup("copygroup", List.of("source:source", "target:fullcopy"));
            r.ibex.addSync("fc", Map.of("relgroup", "nopk", "dbs", "copygroup"));
            assertThat(r.ibex.syncs()).extracting(s -> s.name()).containsExactly("fc");
            r.startDaemon();
            r.execSource("INSERT INTO history VALUES (99, 9, 9, 9, now(), 'added')", "DELETE FROM history WHERE aid < 100");
            var at = r.ibex.kick("fc");
            assertThat(r.ibex.awaitRun("fc", at, Duration.ofSeconds(60), d -> { })).isEqualTo(io.ibex.api.Ibex.KickOutcome.DONE);
            r.awaitConverged(Duration.ofSeconds(10), "public.history");
            assertThat(r.count(false, "history")).isEqualTo(4901);
        }
    }
}
