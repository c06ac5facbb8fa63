package io.ibex.it;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.verify.TableDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A running daemon follows every committed {@code update}: a kick right after it runs with the new configuration
 * (issue 19, item 1), and a database moved elsewhere is reconnected on the next run (item 8).
 */
@ExtendWith(ServersPerClass.class)
class DaemonFollowsChangesTest {

    @Server("17") static PostgresServer server;

    @Test
    void aKickRightAfterUpdateSyncOnetimecopyCopiesBeforeItReturns() throws Exception {
        try (Replication r = new Replication(server, server)) {
            r.execSource("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT g, 'old' FROM generate_series(1, 2000) g");
            r.execTarget("CREATE TABLE t (id int PRIMARY KEY, v text)");
            r.addDatabases();
            r.addSync("s", "t");
            r.startDaemon();
            var first = r.ibex.kick("s");
            assertThat(r.ibex.awaitRun("s", first, Duration.ofSeconds(30), d -> { })).isEqualTo(Ibex.KickOutcome.DONE);
            assertThat(r.count(false, "t")).as("onetimecopy=0: nothing copied yet").isZero();

            r.ibex.update("sync", "s", Map.of("onetimecopy", "1"));
            var kick = r.ibex.kick("s");
            assertThat(r.ibex.awaitRun("s", kick, Duration.ofSeconds(60), d -> { })).isEqualTo(Ibex.KickOutcome.DONE);
            assertThat(r.digests(false, "public.t")).as("copied when the kick returns").isEqualTo(r.digests(true, "public.t"));
        }
    }

    @Test
    void updateDbIsCheckedAndARunningDaemonReconnects() throws Exception {
        PostgresServer pg = server;
        try (Replication r = new Replication(pg, pg)) {
            String ddl = "CREATE TABLE t (id int PRIMARY KEY, v text)";
            r.execBoth(ddl);
            String moved = r.targetDb + "_moved";
            pg.createDatabase(moved);
            try (Connection c = pg.connect(moved); var s = c.createStatement()) {
                s.execute(ddl);
                s.execute("INSERT INTO t SELECT g, 'first' FROM generate_series(1, 100) g");
            }
            r.addDatabases();
            r.addSync("s", "t");
            r.startDaemon();
            r.execSource("INSERT INTO t SELECT g, 'first' FROM generate_series(1, 100) g");
            r.awaitConverged(Duration.ofSeconds(30), "public.t");

            assertThatThrownBy(() -> r.ibex.update("db", "target", Map.of("dbport", "1")))
                    .isInstanceOf(IbexException.class).hasMessageContaining("database \"target\"");
            assertThat(r.ibex.databases().stream().filter(d -> d.name().equals("target")).findFirst().orElseThrow().port())
                    .as("a failed update changes nothing").isEqualTo(pg.port());

            r.ibex.update("db", "target", Map.of("dbport", "1"), true);
            assertThat(r.ibex.databases().stream().filter(d -> d.name().equals("target")).findFirst().orElseThrow().port())
                    .as("--force stores it unchecked").isEqualTo(1);
            r.ibex.update("db", "target", Map.of("dbport", String.valueOf(pg.port()), "dbname", moved));
            r.execSource("INSERT INTO t SELECT g, 'after the move' FROM generate_series(101, 300) g", "UPDATE t SET v = 'changed' WHERE id <= 10");
            var kick = r.ibex.kick("s");
            assertThat(r.ibex.awaitRun("s", kick, Duration.ofSeconds(30), d -> { })).isEqualTo(Ibex.KickOutcome.DONE);
            try (Connection c = pg.connect(moved)) {
                assertThat(TableDigest.ofAll(c, List.of("public.t"))).as("the moved target has every row")
                        .isEqualTo(r.digests(true, "public.t"));
            }
            assertThat(r.count(false, "t")).as("the old target got nothing more").isEqualTo(100);
        }
    }
}
