package io.ibex.it;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A sequence's settings (increment, bounds, cycle, start) reach the target with its value, from every source version. */
@ExtendWith(ServersPerClass.class)
class SequenceSettingsTest {

    @Server("17") static PostgresServer target;

    /** increment, min, max, cycle, start, last_value, is_called of sequence "ids" on PostgreSQL 10 and later. */
    static String settings(Connection c) throws Exception {
        try (var s = c.createStatement(); var rs = s.executeQuery("SELECT seqincrement, seqmin, seqmax, seqcycle, seqstart, "
                + "(SELECT last_value FROM ids), (SELECT is_called FROM ids) FROM pg_sequence WHERE seqrelid = 'ids'::regclass")) {
            rs.next();
            return rs.getLong(1) + " " + rs.getLong(2) + " " + rs.getLong(3) + " " + rs.getBoolean(4) + " " + rs.getLong(5)
                    + " " + rs.getLong(6) + " " + rs.getBoolean(7);
        }
    }

    /** The same from a sequence relation itself (before 10). */
    static String settingsBefore10(Connection c) throws Exception {
        try (var s = c.createStatement(); var rs = s.executeQuery(
                "SELECT increment_by, min_value, max_value, is_cycled, start_value, last_value, is_called FROM ids")) {
            rs.next();
            return rs.getLong(1) + " " + rs.getLong(2) + " " + rs.getLong(3) + " " + rs.getBoolean(4) + " " + rs.getLong(5)
                    + " " + rs.getLong(6) + " " + rs.getBoolean(7);
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0} to 17")
    @ValueSource(strings = {"9.3", "9.6", "17"})
    void settingsAreCopiedWithTheValue(String version) throws Exception {
        try (PostgresServer source = version.equals("17") ? null : PostgresServer.start(version);
             Replication r = new Replication(source == null ? target : source, target)) {
            r.execSource("CREATE SEQUENCE ids", "SELECT nextval('ids')",
                    "ALTER SEQUENCE ids INCREMENT 5 MINVALUE 10 MAXVALUE 8675 START 20 RESTART 8660 CYCLE",
                    "SELECT nextval('ids')", "SELECT nextval('ids')");
            // a serial's sequence: bigint's bounds on a 9.x source, integer's on the target (AS integer), which it keeps
            r.execSource("CREATE SEQUENCE plain", "SELECT nextval('plain')");
            r.execTarget("CREATE SEQUENCE ids", "CREATE SEQUENCE plain AS integer");
            r.addDatabases();
            r.ibex.addTables(List.of("ids", "plain"), Map.of("db", "source", "relgroup", "seqs"), true);
            r.ibex.addSync("seqs", Map.of("relgroup", "seqs", "db", "source,target"));
            r.startDaemon();
            kick(r);
            String expected;
            try (Connection s = r.source()) {
                expected = version.equals("17") ? settings(s) : settingsBefore10(s);
            }
            assertThat(expected).isEqualTo("5 10 8675 true 20 8665 true");
            try (Connection t = r.target(); var st = t.createStatement(); var rs = st.executeQuery(
                    "SELECT seqmax, (SELECT last_value FROM plain) FROM pg_sequence WHERE seqrelid = 'plain'::regclass")) {
                assertThat(settings(t)).isEqualTo(expected);
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(Integer.MAX_VALUE);
                assertThat(rs.getLong(2)).isEqualTo(1);
            }

            // the cycle wraps to the minimum; a later change of settings follows too
            r.execSource("SELECT nextval('ids')", "SELECT nextval('ids')", "SELECT nextval('ids')", "ALTER SEQUENCE ids INCREMENT 7 NO CYCLE");
            kick(r);
            try (Connection s = r.source(); Connection t = r.target()) {
                expected = version.equals("17") ? settings(s) : settingsBefore10(s);
                assertThat(expected).isEqualTo("7 10 8675 false 20 10 true");
                assertThat(settings(t)).isEqualTo(expected);
            }
        }
    }

    private static void kick(Replication r) throws Exception {
        var at = r.ibex.kick("seqs");
        assertThat(r.ibex.awaitRun("seqs", at, Duration.ofSeconds(30), d -> { })).isEqualTo(Ibex.KickOutcome.DONE);
    }
}
