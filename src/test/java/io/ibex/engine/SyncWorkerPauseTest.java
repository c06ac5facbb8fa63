package io.ibex.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SyncWorkerPauseTest {

    @AfterEach
    void defaults() {
        SyncWorker.gatherMs = 20;
        SyncWorker.gatherMaxMs = 200;
    }

    @Test
    void aQuietSyncPausesGatherMs() {
        assertThat(SyncWorker.pauseAfterRun(0, 0)).isEqualTo(20);
        assertThat(SyncWorker.pauseAfterRun(6, 1_000)).isEqualTo(20);
        assertThat(SyncWorker.pauseAfterRun(60, 99)).as("a slow run of few rows: the machine is slow, not the source busy").isEqualTo(20);
    }

    @Test
    void aBusySyncPausesThreeTimesItsRunUpToTheMaximum() {
        assertThat(SyncWorker.pauseAfterRun(30, 100)).isEqualTo(90);
        assertThat(SyncWorker.pauseAfterRun(30, 500)).isEqualTo(90);
        assertThat(SyncWorker.pauseAfterRun(5_000, 1_000_000)).isEqualTo(200); // a long catch-up is not followed by a long pause
    }

    @Test
    void gatherMsStaysTheLeastPauseWhateverTheMaximum() {
        SyncWorker.gatherMs = 300;
        assertThat(SyncWorker.pauseAfterRun(1, 500)).isEqualTo(300);
        assertThat(SyncWorker.pauseAfterRun(1_000, 500)).isEqualTo(300);
    }
}
