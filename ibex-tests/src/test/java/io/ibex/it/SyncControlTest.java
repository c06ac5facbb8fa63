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

/** pause, resume, deactivate, activate, and a table added to the relgroup of a running sync. */
@ExtendWith(ServersPerClass.class)
class SyncControlTest {

    @Server("17") static PostgresServer server;

    @Test
    void pauseResumeAndATableAddedToARunningSync() throws Exception {
        try (Replication r = new Replication(server, server)) {
            String ddl = "CREATE TABLE a (id int PRIMARY KEY, v text); CREATE TABLE b (id int PRIMARY KEY, v text)";
            r.execSource(ddl, "INSERT INTO b SELECT g, 'old' FROM generate_series(1, 300) g");
            r.execTarget(ddl);
            r.addDatabases();
            r.addSync("s", "a");
            r.startDaemon();
            r.execSource("INSERT INTO a SELECT g, 'x' FROM generate_series(1, 100) g");
            r.awaitConverged(Duration.ofSeconds(30), "public.a");

            assertThat(r.ibex.pause(List.of("s"))).containsExactly("s");
            Thread.sleep(500);
            r.execSource("INSERT INTO a SELECT g, 'while paused' FROM generate_series(101, 150) g");
            Thread.sleep(2000);
            assertThat(r.count(false, "a")).as("nothing moves while paused").isEqualTo(100);
            r.ibex.resume(List.of("s"));
            r.awaitConverged(Duration.ofSeconds(30), "public.a");

            // b joins the running sync; onetimecopy=2 copies it (its target table is empty) and only a's changes go to a
            r.ibex.addTables(List.of("b"), Map.of("db", "source", "relgroup", "rg_s"), false);
            r.ibex.update("sync", "s", Map.of("onetimecopy", "2"));
            r.ibex.reload();
            r.execSource("UPDATE b SET v = 'changed' WHERE id <= 10", "INSERT INTO a VALUES (1000, 'after b joined')");
            r.awaitConverged(Duration.ofSeconds(30), "public.a", "public.b");
            assertThat(r.count(false, "b")).isEqualTo(300);

            r.ibex.deactivate(List.of("s"));
            r.execSource("DELETE FROM b WHERE id > 200", "UPDATE a SET v = 'while inactive'");
            Thread.sleep(1500);
            assertThat(r.count(false, "b")).isEqualTo(300);
            r.ibex.activate(List.of("s"));
            r.awaitConverged(Duration.ofSeconds(30), "public.a", "public.b");
            assertThat(r.count(false, "b")).isEqualTo(200);
        }
    }
}
