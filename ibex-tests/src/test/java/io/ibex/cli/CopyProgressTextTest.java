package io.ibex.cli;

import io.ibex.repository.CopyProgress;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The copy progress of status and kick: rows and MB done of estimated, the rate, the time left, and a total per target. */
class CopyProgressTextTest {

    @Test
    void rateEtaAndTotalPerTarget() {
        OffsetDateTime now = OffsetDateTime.parse("2026-01-01T10:00:10Z");
        CopyProgress big = new CopyProgress("s", "t", "public.big", 1_000_000, 3_000_000, now.minusSeconds(10), null,
                100L << 20, 300L << 20, now);
        CopyProgress small = new CopyProgress("s", "t", "public.small", 1000, 1000, now.minusSeconds(10), now.minusSeconds(9),
                1L << 20, 1L << 20, now);
        assertThat(big.rowsPerSecond()).isEqualTo(100_000);
        assertThat(big.etaSeconds()).hasValue(20);
        assertThat(CopyProgressText.describe(big)).isEqualTo("1,000,000 / 3,000,000 rows, 100.0 / ~300.0 MB, 100,000 rows/s, 10.0 MB/s, ETA 20 s");
        List<String[]> lines = CopyProgressText.lines(List.of(big, small));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)[0]).isEqualTo("total -> t");
        assertThat(lines.get(2)[1]).startsWith("1,001,000 / 3,001,000 rows, 101.0 / ~301.0 MB").endsWith("(copying)");
        assertThat(CopyProgressText.duration(3725)).isEqualTo("1 h 2 min");
    }
}
