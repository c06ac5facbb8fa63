package io.ibex.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SourceWatcherTest {

    @Test
    void aTransactionHasEndedOnceItIsNeitherInProgressNorInTheFuture() {
        SourceWatcher.Progress p = SourceWatcher.Progress.parse("100:110:102,105");
        assertThat(p.inProgress()).containsExactlyInAnyOrder(102L, 105L);
        assertThat(p.ended(99)).isTrue();
        assertThat(p.ended(101)).isTrue();
        assertThat(p.ended(102)).isFalse();
        assertThat(p.ended(105)).isFalse();
        assertThat(p.ended(109)).isTrue();
        assertThat(p.ended(110)).isFalse();
    }

    @Test
    void anEmptySnapshotHasNothingInProgress() {
        SourceWatcher.Progress p = SourceWatcher.Progress.parse("7:7:");
        assertThat(p.inProgress()).isEmpty();
        assertThat(p.ended(6)).isTrue();
        assertThat(p.ended(7)).isFalse();
    }
}
