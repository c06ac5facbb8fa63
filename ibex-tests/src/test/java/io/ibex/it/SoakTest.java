package io.ibex.it;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Bank;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.workload.Pgbench;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long soak (outside CI: tagged slow): a steady TPC-B-like load for IBEX_SOAK_MINUTES (default 60) while ibex
 * replicates. Every minute it prints the change tables' rows and size; at the end the target must be identical
 * and the change tables back near empty, because the purge keeps up.
 * Run: mvn -B test -Dtest=SoakTest -DexcludedGroups= -Dgroups=slow (IBEX_SOAK_MINUTES=10 for a shorter one).
 */
@ExtendWith(ServersPerClass.class)
@Tag("slow")
class SoakTest {

    @Server("17") static PostgresServer source;
    @Server("17") static PostgresServer target;

    @Test
    void changeTablesStaySmallUnderASteadyLoad() throws Exception {
        int minutes = Integer.parseInt(System.getenv().getOrDefault("IBEX_SOAK_MINUTES", "60"));
        try (Replication r = new Replication(source, target)) {
            Bank.initialize(r, 1, 10, 100_000);
            r.addDatabases();
            r.ibex.addTables(List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers"), Map.of("db", "source", "herd", "soak"), false);
            r.ibex.addSync("soak", Map.of("relgroup", "soak", "db", "source,target", "onetimecopy", "1"));
            r.startDaemon();
            Pgbench.Load load = new Pgbench.Load(source.connectionSupplier(r.sourceDb), 4).rate(200)
                    .duration(Duration.ofMinutes(minutes)).start();
            long peakRows = 0;
            System.out.printf("soak: %d minutes at 200 tps%n", minutes);
            for (int m = 1; !load.isDone(); m++) {
                load.awaitDone(Duration.ofMinutes(1));
                long[] size = changeTables(r);
                peakRows = Math.max(peakRows, size[0]);
                System.out.printf("soak: minute %3d  transactions %,9d  change rows %,8d  change tables %,10d bytes%n",
                        m, load.transactions(), size[0], size[1]);
            }
            r.awaitConverged(Duration.ofSeconds(120), "public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers");
            Thread.sleep(70_000); // two purge rounds
            long[] end = changeTables(r);
            System.out.printf("soak: end  transactions %,d  change rows %,d (peak %,d)  change tables %,d bytes%n",
                    load.transactions(), end[0], peakRows, end[1]);
            assertThat(end[0]).isLessThan(1000);
        }
    }

    /** Rows and bytes of every change table on the source. */
    static long[] changeTables(Replication r) throws Exception {
        try (Connection c = r.source(); var rs = c.createStatement().executeQuery(
                "SELECT coalesce(sum(c.reltuples), 0)::bigint, coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint, "
                        + "array_agg(c.relname::text) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname = 'ibex_capture' AND c.relname LIKE 'd\\_%' AND c.relkind = 'r'")) {
            rs.next();
            long bytes = rs.getLong(2);
            long rows = 0;
            for (String t : (String[]) rs.getArray(3).getArray()) {
                try (var q = c.createStatement().executeQuery("SELECT count(*) FROM ibex_capture.\"" + t + "\"")) {
                    q.next();
                    rows += q.getLong(1);
                }
            }
            return new long[]{rows, bytes};
        }
    }
}
