package io.ibex.it;

import io.ibex.api.Ibex;
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

/** Capture starts when a sync is created, active or not (as Bucardo installs its triggers at add sync). */
@ExtendWith(ServersPerClass.class)
class InactiveSyncCaptureTest {

    @Server("17") static PostgresServer server;

    @Test
    void changesMadeBeforeTheFirstActivationReachTheTarget() throws Exception {
        try (Replication r = new Replication(server, server)) {
            String ddl = "CREATE TABLE t (id int PRIMARY KEY, v text)";
            r.execBoth(ddl);
            r.addDatabases();
            r.ibex.addTables(List.of("t"), Map.of("db", "source", "relgroup", "rg"), false);
            Ibex.AddSyncResult added = r.ibex.addSync("s", Map.of("relgroup", "rg", "db", "source,target", "status", "inactive"));
            r.execSource("INSERT INTO t SELECT g, 'before activation' FROM generate_series(1, 500) g",
                    "UPDATE t SET v = 'changed' WHERE id <= 50", "DELETE FROM t WHERE id > 450");
            r.startDaemon();
            Thread.sleep(1000);
            assertThat(r.count(false, "t")).as("an inactive sync moves nothing").isZero();
            r.ibex.activate(List.of("s"));
            r.awaitConverged(Duration.ofSeconds(30), "public.t");
            assertThat(r.count(false, "t")).isEqualTo(450);
            assertThat(added.capturedOn()).as("capture installed at add sync").containsExactly("source");
        }
    }

    @Test
    void addSyncReportsCaptureOnlyWhereItInstalledSomething() throws Exception {
        try (Replication r = new Replication(server, server)) {
            String ddl = "CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY)";
            r.execBoth(ddl);
            r.addDatabases();
            r.ibex.addTables(List.of("a"), Map.of("db", "source", "relgroup", "ra"), false);
            r.ibex.addTables(List.of("a", "b"), Map.of("db", "source", "relgroup", "rab"), false);
            assertThat(r.ibex.addSync("first", Map.of("relgroup", "ra", "db", "source,target")).capturedOn()).containsExactly("source");
            assertThat(r.ibex.addSync("same", Map.of("relgroup", "ra", "db", "source,target")).capturedOn())
                    .as("capture of a was there already").isEmpty();
            assertThat(r.ibex.addSync("more", Map.of("relgroup", "rab", "db", "source,target")).capturedOn())
                    .as("b is newly captured").containsExactly("source");
        }
    }
}
