package io.ibex.bench;

import io.ibex.bench.Results.Figure;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MarkdownReportTest {

    private static BenchRig rig(String... args) {
        BenchRig rig = new BenchRig(Options.parse(args), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        rig.stamp = "2026-01-02-030405";
        return rig;
    }

    @Test
    void keepsTheTableInTheOrderThatBenchmarksMdQuotes() {
        List<Figure> figures = rig().results.figures;
        assertThat(figures.stream().map(f -> f.section).distinct()).containsExactly("1", "2", "6", "3", "4", "5");
        assertThat(figures).hasSize(40);
        assertThat(figures.get(figures.size() - 1).name).startsWith("daemon JVM peak heap used, any catch-up");
    }

    @Test
    void reportsARunWithNothingMeasured() {
        BenchRig rig = rig("--only", "lag", "--scale", "1", "--runs", "2");
        rig.figures.summarize();
        String text = new MarkdownReport(rig).text();
        assertThat(text).startsWith("## ibex benchmark, 2026-01-02\n\nCommand: `bin/ibex-bench --only lag --scale 1 --runs 2`");
        assertThat(text).contains("Each figure was measured 2 times (median, min – max)");
        assertThat(text).contains("| 1 | UPDATE of all 100,000 accounts rows, no capture | not measured |  | 0 |");
        assertThat(text).contains("| 4 | baseline: pg_dump -Fc \\| pg_restore of the same tables | not measured |");
        assertThat(text).contains("* Before the first run, 15 s of the load with capture on, not counted, so that the JIT has compiled");
        assertThat(text).doesNotContain("Notes:").doesNotContain("Server-side loop").doesNotContain("CPU time per transaction by part");
    }

    @Test
    void ratesTheCatchUpAgainstTheRawCopyPipe() {
        BenchRig rig = rig();
        Figures f = rig.figures;
        f.raw1m.add(400_000);
        f.catch1mRate.add(100_000).add(300_000).add(200_000);
        f.summarize();
        Figure rate = f.catch1mRate;
        assertThat(rate.ratio).isEqualTo("0.50 × raw COPY pipe");
        assertThat(rate.met).isTrue();
        assertThat(rig.results.table()).contains("| 200,000 rows/s | 100,000 – 300,000 | 3 | 0.50 × raw COPY pipe |");
    }
}
