package io.ibex.engine;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SpoolsTest {

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(Spools.Spool s) throws Exception {
        try (InputStream in = s.open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void streamsComeBackWholeFromMemoryAndFromFiles() throws Exception {
        String small = "1\tone\n2\ttwo\n";
        String big = "x".repeat(300_000) + "\n";
        try (Spools spools = new Spools(100_000, 10_000_000)) {
            Spools.Spool a = spools.read(stream(small));
            Spools.Spool b = spools.read(stream(big)); // past the memory budget: a file
            assertThat(a.live()).isFalse();
            assertThat(b.live()).isFalse();
            assertThat(text(a)).isEqualTo(small);
            assertThat(text(b)).isEqualTo(big);
            assertThat(text(b)).isEqualTo(big); // read again (a retry reads the same)
        }
    }

    @Test
    void aStreamPastEveryBudgetIsLiveAndStillComplete() throws Exception {
        String big = "y".repeat(500_000);
        try (Spools spools = new Spools(10_000, 200_000)) {
            InputStream source = stream(big);
            Spools.Spool s = spools.read(source);
            assertThat(s.live()).isTrue();
            assertThat(source.available()).isPositive(); // the rest was left in the stream
            assertThat(text(s)).isEqualTo(big);
        }
    }
}
