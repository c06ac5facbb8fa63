package io.ibex.it;

import io.ibex.api.Ibex;
import io.ibex.api.SyncStatus;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A database marked status=inactive is skipped as target and as source; its changes wait and catch up (issue 19, item 5). */
@ExtendWith(ServersPerClass.class)
class InactiveDatabaseTest {

    @Server("17") static PostgresServer server;

    @Test
    void anInactiveTargetReceivesNothingAndCatchesUpWhenActive() throws Exception {
        try (Replication r = new Replication(server, server)) {
            String ddl = "CREATE TABLE t (id int PRIMARY KEY, v text)";
            r.execBoth(ddl);
            r.addDatabases();
            r.addSync("s", "t");
            r.startDaemon();
            r.execSource("INSERT INTO t SELECT g, 'first' FROM generate_series(1, 100) g");
            r.awaitConverged(Duration.ofSeconds(30), "public.t");

            r.ibex.update("db", "target", Map.of("status", "inactive"));
            r.execSource("INSERT INTO t SELECT g, 'while inactive' FROM generate_series(101, 200) g", "DELETE FROM t WHERE id <= 10");
            Ibex.KickResult kicked = r.ibex.awaitKick(r.ibex.kick("s"), Duration.ofSeconds(30), d -> { });
            assertThat(kicked.skipped()).as("the kick says what it skipped").containsExactly("target");
            SyncStatus status = r.ibex.status("s");
            assertThat(status.inactiveDbs()).containsExactly("target");
            assertThat(status.currentState()).isEqualTo("Waiting (skipping inactive target)");
            Thread.sleep(3000);
            assertThat(r.count(false, "t")).as("an inactive target receives nothing").isEqualTo(100);

            r.ibex.update("db", "target", Map.of("status", "active"));
            r.awaitConverged(Duration.ofSeconds(30), "public.t");
        }
    }

    @Test
    void anInactiveSourceIsNotReadAndItsChangesWait() throws Exception {
        try (Replication r = new Replication(server, server)) {
            String ddl = "CREATE TABLE t (id int PRIMARY KEY, v text)";
            r.execBoth(ddl);
            r.addDatabases();
            r.addSync("s", "t");
            r.startDaemon();
            r.execSource("INSERT INTO t SELECT g, 'first' FROM generate_series(1, 100) g");
            r.awaitConverged(Duration.ofSeconds(30), "public.t");

            r.ibex.update("db", "source", Map.of("status", "inactive"));
            r.execSource("UPDATE t SET v = 'while inactive' WHERE id <= 50", "INSERT INTO t VALUES (1000, 'new')");
            Thread.sleep(3000);
            assertThat(r.count(false, "t")).as("an inactive source is not read").isEqualTo(100);

            r.ibex.update("db", "source", Map.of("status", "active"));
            r.awaitConverged(Duration.ofSeconds(30), "public.t");
        }
    }
}
