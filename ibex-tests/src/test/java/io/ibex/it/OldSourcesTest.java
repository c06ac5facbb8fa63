package io.ibex.it;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Bank;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.workload.Pgbench;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The walkthrough's migration across versions: a legacy source (9.3, 9.5, 9.6) with a pgbench-like schema, the
 * target loaded by ibex's own onetimecopy (not pg_dump) while the application keeps writing, replication under
 * load, and a verified identical result on PostgreSQL 17.
 */
@ExtendWith(ServersPerClass.class)
class OldSourcesTest {

    @Server("17") static PostgresServer target;

    @ParameterizedTest(name = "PostgreSQL {0} to 17")
    @ValueSource(strings = {"9.3", "9.5", "9.6"})
    void legacySourceToPostgres17UnderWriteLoad(String version) throws Exception {
        try (PostgresServer legacy = PostgresServer.start(version); Replication r = new Replication(legacy, target)) {
            Bank.initialize(r, 1, 10, 100_000);
            r.addDatabases();
            r.ibex.addTables(List.of("pgbench_%"), Map.of("db", "source", "herd", "bank"), false);
            r.ibex.remove("table", "pgbench_history", true);
            r.ibex.addSync("migrate", Map.of("relgroup", "bank", "db", "source,target", "onetimecopy", "1"));
            Pgbench.Load load = new Pgbench.Load(legacy.connectionSupplier(r.sourceDb), 4).duration(Duration.ofSeconds(6)).start();
            r.startDaemon();
            load.awaitDone();
            assertThat(load.transactions()).isGreaterThan(500);
            assertThat(load.errors()).isZero();
            r.awaitConverged(Duration.ofSeconds(60), "public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers");
            Ibex.Verification v = r.ibex.verify("migrate", List.of(), 10, (table, db, done, total) -> { });
            assertThat(v.tables()).hasSize(3).allMatch(Ibex.TableVerification::identical);
            assertThat(v.tables()).filteredOn(tv -> tv.table().equals("public.pgbench_accounts"))
                    .singleElement().satisfies(tv -> assertThat(tv.sourceRows()).isEqualTo(100_000));

            // differences injected on the target are found and named by their keys
            r.stopDaemon();
            r.execTarget("UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 4242",
                    "DELETE FROM pgbench_accounts WHERE aid = 777", "INSERT INTO pgbench_tellers VALUES (999, 1, 0, '')");
            Ibex.Verification bad = r.ibex.verify("migrate", List.of(), 10, (table, db, done, total) -> { });
            assertThat(bad.identical()).isFalse();
            var accounts = bad.tables().stream().filter(tv -> tv.table().equals("public.pgbench_accounts")).findFirst().orElseThrow();
            assertThat(accounts.details().differences()).extracting(d -> d.kind().name() + " " + d.key())
                    .containsExactlyInAnyOrder("DIFFERENT [4242]", "MISSING_ON_TARGET [777]");
            var tellers = bad.tables().stream().filter(tv -> tv.table().equals("public.pgbench_tellers")).findFirst().orElseThrow();
            assertThat(tellers.details().differences()).extracting(d -> d.kind().name() + " " + d.key())
                    .containsExactly("EXTRA_ON_TARGET [999]");
        }
    }
}
