package io.ibex.bench;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.workload.Pgbench;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(ServersPerClass.class)
class UpdateLoopTest {
    @Server("17") static PostgresServer server;

    @Test
    void eachIterationUpdatesOneRowInItsOwnTransaction() throws Exception {
        server.createDatabase("loop");
        try (Connection c = server.connect("loop")) {
            Pgbench.initialize(c, 1);
            assertThat(UpdateLoop.supported(c)).isTrue();

            UpdateLoop.install(c);
            double us = UpdateLoop.microsEach(c, 500);

            assertThat(us).isPositive();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT count(*), sum(abalance), count(DISTINCT xmin::text) FROM pgbench_accounts WHERE abalance <> 0")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(500); // 500 different rows, each once
                assertThat(rs.getLong(2)).isEqualTo(500);
                assertThat(rs.getLong(3)).isEqualTo(500); // each written by a transaction of its own
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW synchronous_commit")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("on"); // reset after the loop
            }
        }
    }
}
