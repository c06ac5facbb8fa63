package io.ibex.bench;

import io.ibex.verify.TableDigest;
import io.ibex.workload.Pgbench;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's reference: PostgreSQL's own logical replication between its two servers. Set up from a copy of a
 * pgbench database, it converges on the target (row counts and content hashes of the three tables), and leaves no
 * database, subscription or slot behind; a source without wal_level = logical is named as the reason it cannot run.
 */
class NativeReplicationTest {

    static final List<String> TABLES = NativeReplication.TABLES.stream().map(t -> "public." + t).toList();

    @Test
    void replicatesThePgbenchTablesAndCleansUp() throws Exception {
        try (BenchServer source = BenchServer.start("source", "17", Map.of("wal_level", "logical"));
             BenchServer target = BenchServer.start("target", "17", Map.of())) {
            assertThat(NativeReplication.unavailable(source)).isNull();
            source.recreateDatabase("plain");
            try (Connection c = source.connect("plain")) {
                Pgbench.initialize(c, 1);
            }
            try (NativeReplication n = NativeReplication.start(source, target, "plain", Duration.ofMinutes(2))) {
                // started paused: no walsender decodes the other runs' WAL
                assertThat(source.query("postgres", "SELECT count(*) FROM pg_replication_slots WHERE active")).isEqualTo("0");
                n.resume();
                write(source, NativeReplication.DB, "UPDATE pgbench_accounts SET abalance = abalance + 7 WHERE aid % 3 = 0",
                        "UPDATE pgbench_tellers SET tbalance = tbalance - 1", "DELETE FROM pgbench_branches WHERE bid = 1");
                n.awaitCaughtUp(Duration.ofMinutes(1));
                assertConverged(source, target);
                n.pause();
                // paused while another database is written, its slot moved past that WAL: the next round still converges
                write(source, "plain", "UPDATE pgbench_accounts SET abalance = abalance - 1");
                n.resume();
                write(source, NativeReplication.DB, "UPDATE pgbench_accounts SET abalance = 0 WHERE aid <= 5000", "INSERT INTO pgbench_branches VALUES (1, 5)");
                n.awaitCaughtUp(Duration.ofMinutes(1));
                assertConverged(source, target);
                n.pause();
            }
            assertThat(source.query("postgres", "SELECT count(*) FROM pg_replication_slots")).isEqualTo("0");
            assertThat(source.query("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + NativeReplication.DB + "'")).isEqualTo("0");
            assertThat(target.query("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + NativeReplication.DB + "'")).isEqualTo("0");
            assertThat(NativeReplication.unavailable(target)).isEqualTo("the source runs with wal_level = replica, not logical");
        }
    }

    private static void write(BenchServer server, String db, String... statements) throws Exception {
        try (Connection c = server.connect(db); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    private static void assertConverged(BenchServer source, BenchServer target) throws Exception {
        try (Connection s = source.connect(NativeReplication.DB); Connection t = target.connect(NativeReplication.DB)) {
            Map<String, TableDigest.Digest> onSource = TableDigest.ofAll(s, TABLES);
            assertThat(onSource.get("public.pgbench_accounts").rows()).isEqualTo(100_000);
            assertThat(TableDigest.ofAll(t, TABLES)).isEqualTo(onSource);
        }
    }

    @Test
    void theConnectionStringQuotesEveryValue() {
        BenchServer s = BenchServer.external("source", "db.example:6543", "o'neil", "pa\\ss word");
        assertThat(NativeReplication.conninfo(s)).isEqualTo(
                "host='db.example' port=6543 dbname='ibex_bench_native' user='o\\'neil' password='pa\\\\ss word'");
    }
}
