package io.ibex.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PgbenchBinaryTest {

    @Test
    void theScriptIsTpcbLikeWithoutTheHistoryInsert() {
        String script = PgbenchBinary.script(10);
        assertThat(script).contains("\\set aid random(1, 1000000)\n", "\\set bid random(1, 10)\n", "\\set tid random(1, 100)\n");
        assertThat(script).contains("UPDATE pgbench_accounts", "SELECT abalance FROM pgbench_accounts", "UPDATE pgbench_tellers",
                "UPDATE pgbench_branches");
        assertThat(script).doesNotContain("pgbench_history", "INSERT");
    }
}
