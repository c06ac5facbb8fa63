package io.ibex.it;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon notices a commit that comes well after the change was written (docs/design.md, "The kick"). The source
 * has a server of its own, so the writer is the newest transaction there: a snapshot taken while it runs does not
 * list it (its txid is at the snapshot's xmax), which a watcher without the fence missed for good.
 */
@ExtendWith(ServersPerClass.class)
class KickTest {

    @Server("17") static PostgresServer source;
    @Server("17") static PostgresServer target;

    @Test
    void aLoneWriterThatCommitsLongAfterItsChangeIsApplied() throws Exception {
        try (Replication r = new Replication(source, target)) {
            String ddl = "CREATE TABLE k (id int PRIMARY KEY, v text)";
            r.execBoth(ddl);
            r.addDatabases();
            r.addSync("s", "k");
            r.startDaemon();
            for (int i = 1; i <= 5; i++) {
                try (Connection c = r.source()) {
                    c.setAutoCommit(false);
                    c.createStatement().execute("INSERT INTO k VALUES (" + i + ", 'written, committed 300 ms later')");
                    Thread.sleep(300); // the watcher sees the change and kicks a run that cannot see it yet
                    c.commit();
                }
                long t0 = System.nanoTime();
                r.awaitConverged(Duration.ofSeconds(5), "public.k");
                assertThat(r.count(false, "k")).isEqualTo(i);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            }
        }
    }
}
