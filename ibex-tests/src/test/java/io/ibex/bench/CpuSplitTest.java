package io.ibex.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CpuSplitTest {

    @Test
    void readsUserAndSystemTimeEvenWithSpacesAndParenthesesInTheName() {
        String stat = "4242 (sync-a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 123 0 0";
        assertThat(CpuSplit.cpuSeconds(stat)).isEqualTo(3.25);
    }

    @Test
    void namesTheDaemonsThreadsApartFromTheLoadAndTheJvm() {
        assertThat(CpuSplit.threadPart("sync-bench-tgt")).isEqualTo("the daemon's threads");
        assertThat(CpuSplit.threadPart("watch-src")).isEqualTo("the daemon's threads");
        assertThat(CpuSplit.threadPart("pgbench-client-")).isEqualTo("the load's threads");
        assertThat(CpuSplit.threadPart("C2 CompilerThre")).isEqualTo("JIT compiler");
        assertThat(CpuSplit.threadPart("G1 Conc#0")).isEqualTo("garbage collector");
        assertThat(CpuSplit.threadPart("main")).isEqualTo("other threads");
    }
}
