package io.ibex.it;

import io.ibex.api.Ibex;
import io.ibex.capture.CaptureInstaller;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What positions are read for besides batches: the backlog of status and delta, and the purge of what every consumer has. */
@ExtendWith(ServersPerClass.class)
class DeltaAndPurgeTest {

    @Server("17") static PostgresServer server;

    @Test
    void theBacklogIsCountedFromEachPositionAndPurgedOnceReceived() throws Exception {
        try (Replication r = new Replication(server, server)) {
            r.execSource("CREATE TABLE t (id int PRIMARY KEY, v text)");
            r.execTarget("CREATE TABLE t (id int PRIMARY KEY, v text)");
            r.addDatabases();
            r.addSync("s", "t");
            r.execSource("INSERT INTO t SELECT g, 'a' FROM generate_series(1, 50) g", "UPDATE t SET v = 'b' WHERE id <= 10");

            assertThat(r.ibex.delta(List.of())).containsExactly(new Ibex.Delta("source", "public.t", 60));
            assertThat(r.ibex.status("s").backlog()).containsEntry("target", 60L);

            r.startDaemon();
            r.awaitConverged(Duration.ofSeconds(60), "public.t");
            r.stopDaemon();
            r.ibex.purge();
            assertThat(r.ibex.delta(List.of())).containsExactly(new Ibex.Delta("source", "public.t", 0));
            assertThat(r.ibex.status("s").backlog()).containsEntry("target", 0L);
            try (Connection c = r.source(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM " + CaptureInstaller.names("public", "t").qualifiedDelta())) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).as("change rows left after the purge").isZero();
            }
        }
    }
}
