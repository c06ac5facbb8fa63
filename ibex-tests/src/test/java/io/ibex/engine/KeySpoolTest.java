package io.ibex.engine;

import io.ibex.model.KeyRange;
import io.ibex.model.TableInfo;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KeySpoolTest {

    @Test
    void slicesAreConsecutiveCompleteAndKnowTheirFirstAndLastKey() throws Exception {
        StringBuilder keys = new StringBuilder();
        for (int i = 1; i <= 1001; i++) {
            keys.append(i).append('\t').append(i * 10).append('\n');
        }
        try (KeySpool spool = KeySpool.write(new ByteArrayInputStream(keys.toString().getBytes(StandardCharsets.UTF_8)))) {
            assertThat(spool.keys()).isEqualTo(1001);
            List<KeySpool.Slice> slices = spool.slices(250);
            assertThat(slices).extracting(KeySpool.Slice::keys).containsExactly(250L, 250L, 250L, 250L, 1L);
            assertThat(slices.get(0).firstLine()).isEqualTo("1\t10");
            assertThat(slices.get(0).lastLine()).isEqualTo("250\t2500");
            assertThat(slices.get(4).firstLine()).isEqualTo("1001\t10010");
            assertThat(slices.get(4).lastLine()).isEqualTo("1001\t10010");
            StringBuilder again = new StringBuilder();
            for (KeySpool.Slice s : slices) {
                try (InputStream in = spool.open(s)) {
                    again.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            assertThat(again.toString()).isEqualTo(keys.toString());
            try (InputStream in = spool.openAll()) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(keys.toString());
            }
        }
    }

    @Test
    void anEmptyStreamHasNoSlices() throws Exception {
        try (KeySpool spool = KeySpool.write(new ByteArrayInputStream(new byte[0]))) {
            assertThat(spool.keys()).isZero();
            assertThat(spool.slices(10)).isEmpty();
        }
    }

    @Test
    void slicesGiveEveryWorkerTwoButAreNotTooSmallToPayOff() {
        assertThat(SliceApplier.sliceSize(1_000_000, 500_000, 2)).isEqualTo(250_000);
        assertThat(SliceApplier.sliceSize(10_000_000, 500_000, 2)).isEqualTo(500_000);
        assertThat(SliceApplier.sliceSize(3, 500_000, 2)).isEqualTo(3);
        assertThat(SliceApplier.sliceSize(100_000, 500_000, 2)).as("one slice a worker: four would cost more than they save").isEqualTo(50_000);
        assertThat(SliceApplier.sliceSize(60_000, 500_000, 2)).isEqualTo(60_000);
        assertThat(SliceApplier.sliceSize(200_000, 500_000, 2)).isEqualTo(50_000);
        assertThat(SliceApplier.sliceSize(30_000, 5_000, 2)).as("small slices asked for").isEqualTo(5_000);
        assertThat(SliceApplier.sliceSize(1_000, 500_000, 1)).isEqualTo(1_000);
    }

    @Test
    void keyRangesOnlyForTypesThatSortAlikeEverywhere() {
        TableInfo ints = new TableInfo("public", "t", List.of(), List.of("a", "b"), List.of("integer", "numeric(10,2)"));
        TableInfo text = new TableInfo("public", "t", List.of(), List.of("a"), List.of("text"));
        assertThat(KeyRange.supported(ints)).isTrue();
        assertThat(KeyRange.supported(text)).isFalse();
        KeyRange r = KeyRange.of("1\t2.50", "9\t-3.00", 2);
        assertThat(r.predicate("t", ints)).isEqualTo(
                "ROW(t.\"a\", t.\"b\") >= ROW('1'::integer, '2.50'::numeric(10,2)) AND ROW(t.\"a\", t.\"b\") <= ROW('9'::integer, '-3.00'::numeric(10,2))");
        assertThat(KeyRange.of("1\\t", "2", 1)).isNull();
        assertThat(KeyRange.of("\\N", "2", 1)).isNull();
    }

    @Test
    void aRangeStandsForItsKeysOnlyWhenItHoldsEveryIntegerOfIt() {
        TableInfo ints = new TableInfo("public", "t", List.of(), List.of("id"), List.of("bigint"));
        TableInfo numeric = new TableInfo("public", "t", List.of(), List.of("id"), List.of("numeric"));
        TableInfo pair = new TableInfo("public", "t", List.of(), List.of("a", "b"), List.of("integer", "integer"));
        assertThat(KeyRange.of("1", "500", 1).holdsExactly(ints, 500)).isTrue();
        assertThat(KeyRange.of("-5", "5", 1).holdsExactly(ints, 11)).isTrue();
        assertThat(KeyRange.of("1", "501", 1).holdsExactly(ints, 500)).isFalse(); // a gap somewhere
        assertThat(KeyRange.of("1", "500", 1).holdsExactly(numeric, 500)).isFalse(); // 1.5 may lie between
        assertThat(KeyRange.of("1\t1", "1\t500", 2).holdsExactly(pair, 500)).isFalse();
        assertThat(KeyRange.of("-9223372036854775808", "9223372036854775807", 1).holdsExactly(ints, 10)).isFalse();
    }
}
