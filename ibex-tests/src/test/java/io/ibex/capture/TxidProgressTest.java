package io.ibex.capture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which transactions a txid snapshot says have ended (what the trigger capture's activity watch keeps track of). */
class TxidProgressTest {

    @Test
    void aTransactionHasEndedOnceItIsNeitherInProgressNorInTheFuture() {
        TxidProgress p = TxidProgress.parse("100:110:102,105");
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
        TxidProgress p = TxidProgress.parse("7:7:");
        assertThat(p.inProgress()).isEmpty();
        assertThat(p.ended(6)).isTrue();
        assertThat(p.ended(7)).isFalse();
    }
}
