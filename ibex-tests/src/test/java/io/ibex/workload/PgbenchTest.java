package io.ibex.workload;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(ServersPerClass.class)
class PgbenchTest {
    @Server("17") static PostgresServer server;

    @Test
    void loadKeepsBalancesConsistent() throws Exception {
        server.createDatabase("bench");
        try (Connection c = server.connect("bench")) {
            Pgbench.initialize(c, 1);
            assertThat(count(c, "pgbench_accounts")).isEqualTo(100_000);
            assertThat(count(c, "pgbench_tellers")).isEqualTo(10);
            assertThat(count(c, "pgbench_branches")).isEqualTo(1);
            assertThat(count(c, "pgbench_history")).isZero();
            assertThat(c.getAutoCommit()).isTrue();
        }

        Pgbench.Load load = new Pgbench.Load(server.connectionSupplier("bench"), 4).transactionsPerClient(200).seed(42);
        load.start();
        assertThat(load.awaitDone(Duration.ofMinutes(2))).isTrue();
        assertThat(load.firstError()).isEmpty();
        assertThat(load.errors()).isZero();
        assertThat(load.transactions()).isEqualTo(800);

        try (Connection c = server.connect("bench")) {
            long accounts = sum(c, "abalance", "pgbench_accounts");
            assertThat(sum(c, "tbalance", "pgbench_tellers")).isEqualTo(accounts);
            assertThat(sum(c, "bbalance", "pgbench_branches")).isEqualTo(accounts);
            assertThat(sum(c, "delta", "pgbench_history")).isEqualTo(accounts);
            assertThat(count(c, "pgbench_history")).isEqualTo(load.transactions());
        }
    }

    @Test
    void withoutHistoryOnlyTheTablesWithAKeyAreWritten() throws Exception {
        server.createDatabase("nohistory");
        try (Connection c = server.connect("nohistory")) {
            Pgbench.initialize(c, 1);
        }
        Pgbench.Load load = new Pgbench.Load(server.connectionSupplier("nohistory"), 2).withoutHistory().transactionsPerClient(100).seed(7);
        load.start();
        assertThat(load.awaitDone(Duration.ofMinutes(2))).isTrue();
        assertThat(load.errors()).isZero();
        try (Connection c = server.connect("nohistory")) {
            long accounts = sum(c, "abalance", "pgbench_accounts");
            assertThat(count(c, "pgbench_history")).isZero();
            assertThat(sum(c, "tbalance", "pgbench_tellers")).isEqualTo(accounts);
            assertThat(sum(c, "bbalance", "pgbench_branches")).isEqualTo(accounts);
            assertThat(scalar(c, "SELECT count(*) FROM pgbench_accounts WHERE abalance <> 0")).isNotEqualTo("0");
        }
    }

    @Test
    void smallDataRateLimitedAndStopped() throws Exception {
        server.createDatabase("small");
        try (Connection c = server.connect("small")) {
            Pgbench.initialize(c, 3, 7, 50);
            assertThat(count(c, "pgbench_accounts")).isEqualTo(50);
            assertThat(scalar(c, "SELECT min(bid) || '-' || max(bid) FROM pgbench_accounts")).isEqualTo("1-3");
            assertThat(scalar(c, "SELECT min(bid) || '-' || max(bid) FROM pgbench_tellers")).isEqualTo("1-3");
        }
        Pgbench.Load load = new Pgbench.Load(server.jdbcUrl("small"), server.superuser(), null, 3)
                .rate(100).duration(Duration.ofSeconds(30)).start();
        Thread.sleep(1000);
        long start = System.nanoTime();
        load.stop();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(load.errors()).isZero();
        // about 100 in a second; generous bounds for a slow machine
        assertThat(load.transactions()).isBetween(30L, 130L);
        try (Connection c = server.connect("small")) {
            assertThat(count(c, "pgbench_history")).isEqualTo(load.transactions());
            assertThat(sum(c, "tbalance", "pgbench_tellers")).isEqualTo(sum(c, "delta", "pgbench_history"));
        }
    }

    @Test
    void schemaOnly() throws Exception {
        server.createDatabase("target");
        try (Connection c = server.connect("target")) {
            Pgbench.createSchemaOnly(c);
            assertThat(count(c, "pgbench_accounts")).isZero();
            assertThat(scalar(c, "SELECT count(*) FROM pg_index WHERE indisprimary"
                    + " AND indrelid::regclass::text LIKE 'pgbench%'")).isEqualTo("3");
        }
    }

    @Test
    void runsOnPostgres96() throws Exception {
        try (PostgresServer old = PostgresServer.start("9.6")) {
            try (Connection c = old.connect("postgres")) {
                Pgbench.initialize(c, 2, 10, 1000);
                Pgbench.initialize(c, 2, 10, 1000); // again: drops and recreates, like pgbench -i
            }
            Pgbench.Load load = new Pgbench.Load(old.connectionSupplier("postgres"), 2).transactionsPerClient(50);
            load.start().awaitDone();
            assertThat(load.firstError()).isEmpty();
            try (Connection c = old.connect("postgres")) {
                assertThat(count(c, "pgbench_history")).isEqualTo(100);
                assertThat(sum(c, "bbalance", "pgbench_branches")).isEqualTo(sum(c, "abalance", "pgbench_accounts"));
            }
        }
    }

    private static long count(Connection c, String table) throws SQLException {
        return Long.parseLong(scalar(c, "SELECT count(*) FROM " + table));
    }

    private static long sum(Connection c, String column, String table) throws SQLException {
        return Long.parseLong(scalar(c, "SELECT coalesce(sum(" + column + "), 0) FROM " + table));
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
