package io.ibex.capture;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The watcher's poll of the activity sequence, prepared on the server, on a real server. */
@ExtendWith(ServersPerClass.class)
class ActivityPollTest {
    @Server("17") static PostgresServer server;

    @Test
    void readsTheSequenceBeforeAndAfterCaptureIsInstalledAndSurvivesALostPreparedStatement() throws Exception {
        server.createDatabase("poll");
        try (Connection c = server.connect("poll"); Statement s = c.createStatement();
             ActivityPoll poll = new ActivityPoll(c)) {
            c.setAutoCommit(true);
            assertThat(poll.read()).isNull(); // no capture installed yet

            s.execute("CREATE SCHEMA ibex_capture");
            s.execute("CREATE SEQUENCE ibex_capture.activity");
            assertThat(poll.read()).isZero();
            s.execute("SELECT nextval('ibex_capture.activity')");
            assertThat(poll.read()).isEqualTo(1);

            // what a pooler in transaction mode does to a session's prepared statements, unseen by the driver
            // (which prepares it again and retries, in autocommit)
            s.execute("DO $$ BEGIN EXECUTE 'DEALLOCATE ALL'; END $$");
            s.execute("SELECT nextval('ibex_capture.activity')");
            assertThat(poll.read()).isEqualTo(2);
            s.execute("SELECT nextval('ibex_capture.activity')");
            assertThat(poll.read()).isEqualTo(3);

            s.execute("DROP SCHEMA ibex_capture CASCADE"); // capture removed: no value again
            assertThat(poll.read()).isNull();
        }
    }
}
