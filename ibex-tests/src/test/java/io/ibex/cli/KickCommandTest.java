package io.ibex.cli;

import io.ibex.api.Ibex;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code kick SYNC 0} prints: a FAILED carries the error of the run that answered the kick; skipped databases are named. */
class KickCommandTest {
    @TempDir
    Path dir;
    CliRunner cli;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(dir);
    }

    @Test
    void aFailedKickPrintsTheErrorOfEachFailedLane() {
        cli.fake.kickResult = new Ibex.KickResult(Ibex.KickOutcome.FAILED,
                List.of("rds96: insert or update on table \"child\" violates foreign key constraint\n\"child_p_fkey\""), List.of());
        assertThat(cli.run("kick", "sync_pg84_rds96", "0")).isEqualTo(KickCommand.FAILED);
        assertThat(cli.out.strip()).isEqualTo("Kick sync_pg84_rds96: [0 s] FAILED: rds96: insert or update on table \"child\" "
                + "violates foreign key constraint \"child_p_fkey\"");
    }

    @Test
    void aKickThatSkippedAnInactiveDatabaseSaysSo() {
        cli.fake.kickResult = new Ibex.KickResult(Ibex.KickOutcome.DONE, List.of(), List.of("rds96"));
        assertThat(cli.run("kick", "sync_pg84_rds96", "0")).isZero();
        assertThat(cli.out.strip()).isEqualTo("Kick sync_pg84_rds96: [0 s] DONE! (skipped: database \"rds96\" is inactive; its changes wait)");
    }
}
