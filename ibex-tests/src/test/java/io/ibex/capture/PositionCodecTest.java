package io.ibex.capture;

import io.ibex.spi.ChangeSources;
import io.ibex.spi.Position;
import io.ibex.spi.PositionCodec;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How positions are kept in the repository's text: one kind told from another, and what repositories hold today still read. */
class PositionCodecTest {

    private final PositionCodec codec = ChangeSources.codec();

    @Test
    void aTxidSnapshotIsStoredAsTheTextEveryRepositoryHoldsAndReadsBack() {
        Position p = new TxidSnapshotPosition("100:110:102,105");
        assertThat(codec.encode(p)).isEqualTo("100:110:102,105");
        assertThat(codec.decode(codec.encode(p))).isEqualTo(p);
    }

    @Test
    void aPositionStoredByTodaysReleaseIsReadAsATxidSnapshot() {
        Position p = codec.decode("7:7:");
        assertThat(p).isInstanceOf(TxidSnapshotPosition.class);
        assertThat(((TxidSnapshotPosition) p).xmin()).isEqualTo(7);
        assertThat(((TxidSnapshotPosition) p).xmax()).isEqualTo(7);
        assertThat(p.kind()).isEqualTo(TxidSnapshotPosition.KIND);
    }

    /** A position of another capture kind, as a second capture would have it. */
    private record Lsn(String text) implements Position {
        @Override
        public String kind() {
            return "lsn";
        }
    }

    @Test
    void anotherKindIsStoredWithItsPrefixAndToldApart() {
        PositionCodec both = new PositionCodec(Map.of(TxidSnapshotPosition.KIND, TxidSnapshotPosition::new, "lsn", Lsn::new));
        Position lsn = new Lsn("0/16B3748");
        assertThat(both.encode(lsn)).isEqualTo("lsn/0/16B3748");
        assertThat(both.decode("lsn/0/16B3748")).isEqualTo(lsn);
        assertThat(both.decode("100:110:")).isEqualTo(new TxidSnapshotPosition("100:110:"));
    }

    @Test
    void aKindNoInstalledCaptureReadsIsRefused() {
        assertThatThrownBy(() -> codec.decode("lsn/0/16B3748")).hasMessageContaining("\"lsn\"");
    }

    @Test
    void theTriggerCaptureIsFoundAtRunTime() {
        assertThat(ChangeSources.get(TriggerChangeSource.KIND)).isInstanceOf(TriggerChangeSource.class);
    }

    @Test
    void theEarliestOfTwoTxidSnapshotsIsTheOneWithTheLowerXmin() {
        TriggerChangeSource trigger = new TriggerChangeSource();
        Position early = new TxidSnapshotPosition("90:120:95");
        Position late = new TxidSnapshotPosition("100:110:");
        assertThat(trigger.earliest(early, late)).isEqualTo(early);
        assertThat(trigger.earliest(late, early)).isEqualTo(early);
    }
}
