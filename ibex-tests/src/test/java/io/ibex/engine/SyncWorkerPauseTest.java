package io.ibex.engine;

import io.ibex.settings.Settings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SyncWorkerPauseTest {

    /** gather_ms 20, gather_max_ms 500. */
    private static final Settings DEFAULTS = Settings.defaults();

    @Test
    void aQuietSyncPausesGatherMs() {
        assertThat(SyncWorker.pauseAfterRun(DEFAULTS, 0, 0, 50)).isEqualTo(20);
        assertThat(SyncWorker.pauseAfterRun(DEFAULTS, 6, 90, 50)).as("1,800 rows a second").isEqualTo(20);
        assertThat(SyncWorker.pauseAfterRun(DEFAULTS, 60, 99, 80)).as("a slow run of few rows: the machine is slow, not the source busy").isEqualTo(20);
        assertThat(SyncWorker.pauseAfterRun(DEFAULTS, 3_000, 1_000_000, Long.MAX_VALUE)).as("the first run").isEqualTo(20);
    }

    @Test
    void aBusySyncPausesEightTimesItsRunUpToTheMaximum() {
        assertThat(SyncWorker.pauseAfterRun(DEFAULTS, 30, 100, 50)).as("2,000 rows a second").isEqualTo(240);
        assertThat(SyncWorker.pauseAfterRun(DEFAULTS, 30, 5_000, 500)).isEqualTo(240);
        assertThat(SyncWorker.pauseAfterRun(DEFAULTS, 5_000, 1_000_000, 6_000)).isEqualTo(500); // a long catch-up is not followed by a long pause
    }

    @Test
    void theRateDecidesNotTheBatchSize() {
        // 200 transactions a second of ~3 rows each, after a long pause: a big batch, but a moderate rate
        assertThat(SyncWorker.pauseAfterRun(DEFAULTS, 40, 600, 540)).isEqualTo(20);
    }

    @Test
    void gatherMsStaysTheLeastPauseWhateverTheMaximum() {
        Settings slow = DEFAULTS.withGatherMs(600);
        assertThat(SyncWorker.pauseAfterRun(slow, 1, 500, 100)).isEqualTo(600);
        assertThat(SyncWorker.pauseAfterRun(slow, 1_000, 500, 100)).isEqualTo(600);
    }
}
