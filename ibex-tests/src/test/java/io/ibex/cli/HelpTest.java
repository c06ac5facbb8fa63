package io.ibex.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class HelpTest {
    @TempDir
    Path dir;

    @Test
    void overviewListsEveryCommandButTheHiddenDaemon() {
        CliRunner cli = new CliRunner(dir);
        assertThat(cli.run("help")).isZero();
        for (String verb : Verbs.ALL) {
            if (verb.equals("daemon")) {
                assertThat(cli.out).doesNotContain("  daemon ");
            } else {
                assertThat(cli.out).as(verb).containsPattern("(?m)^  " + verb + " +\\S");
            }
        }
        assertThat(cli.out).contains("--dbhost", "--db-host", "-h H", "--dbpass", "--piddir", "--logdir", "--log-level", "--ibexrc",
                "--no-ibexrc", "--force", "--quiet", "--debug", "--batch", "IBEX_DBHOST", ".ibexrc");
        assertThat(cli.run("--help")).isZero();
        assertThat(cli.out).contains("Usage: ibex [options] COMMAND");
    }

    @Test
    void everyCommandHasAPageWithUsageAndExample() {
        for (String verb : Verbs.ALL) {
            if (verb.equals("daemon")) {
                continue;
            }
            CliRunner cli = new CliRunner(dir);
            assertThat(cli.run("help", verb)).as(verb).isZero();
            assertThat(cli.out).as(verb).startsWith("Usage:").contains("ibex " + verb);
            if (!verb.equals("version")) {
                assertThat(cli.out).as(verb).contains("Example");
            }
            assertThat(Help.SUMMARY).as(verb).containsKey(verb);
        }
    }

    @Test
    void helpAddExplainsEveryKindOfAdd() {
        CliRunner cli = new CliRunner(dir);
        assertThat(cli.run("help", "add")).isZero();
        assertThat(cli.out).contains("ibex add db NAME", "ibex add table", "ibex add sequence", "ibex add all tables", "ibex add relgroup",
                "ibex add dbgroup", "ibex add sync", "-n, --schema", "-N, --exclude-schema", "-t, --table", "-T, --exclude-table", "pkonly",
                "ibex add table pgbench_accounts pgbench_branches pgbench_tellers herd=herd_pg84 db=pgdb84",
                "ibex add dbgroup pgdb84_to_rds96 pgdb84:source rds96:target",
                "ibex add sync sync_pg84_rds96 relgroup=herd_pg84 db=pgdb84,rds96");
    }

    @Test
    void helpPagesOfTheOperationsCommands() {
        CliRunner cli = new CliRunner(dir);
        assertThat(cli.run("help", "cutover")).isZero();
        assertThat(cli.out).contains("1. stop the writes to the source", "2. ibex cutover SYNC", "3. when it says Ready",
                "copies the sequences", "timeout=", "Ready: every target has every change");
        assertThat(cli.run("help", "verify")).isZero();
        assertThat(cli.out).contains("maxkeys=N", "missing on target: tid=7", "verify: 1 table(s) differ", "Exit code");
        assertThat(cli.run("help", "sql")).isZero();
        assertThat(cli.out).contains("ibex sql replica_function ROLE|db=NAME", "There is no default");
        assertThat(cli.run("help", "list")).isZero();
        assertThat(cli.out).contains("ibex list conflicts [SYNC] [limit=N]", "skipped");
        assertThat(cli.run("help", "status")).isZero();
        assertThat(cli.out).contains("Replica mode             : rds96: SET session_replication_role", "I/D/C");
        assertThat(cli.run("help", "set")).isZero();
        assertThat(cli.out).contains("log_level", "purge_interval", "max_backoff");
    }

    @Test
    void helpForAliasesAndCommandDashDashHelp() {
        CliRunner cli = new CliRunner(dir);
        assertThat(cli.run("help", "lsit")).isZero();
        assertThat(cli.out).startsWith("Usage: ibex list");
        assertThat(cli.run("add", "--help")).isZero();
        assertThat(cli.out).startsWith("Usage:").contains("ibex add sync");
        assertThat(cli.run("status", "-h")).isZero();
        assertThat(cli.out).startsWith("Usage: ibex status");
        assertThat(cli.run("help", "options")).isZero();
        assertThat(cli.out).startsWith("Global options");
        assertThat(cli.run("help", "nonsense")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: no help for \"nonsense\": run 'ibex help' for the list of commands\n");
    }

    @Test
    void helpOfOneKindOfObjectPrintsOnlyItsPart() {
        CliRunner cli = new CliRunner(dir);
        assertThat(cli.run("help", "add", "sync")).isZero();
        assertThat(cli.out).startsWith("Usage:\n  ibex add sync NAME").contains("add sync: replicates a relgroup", "conflict_strategy=",
                        "rebuild_index=0|1|2", "ibex add sync nightly relgroup=herd_pg84")
                .doesNotContain("ibex add db", "add db:", "add dbgroup:", "-n, --schema", "ibex add table");
        assertThat(cli.run("add", "sync", "--help")).isZero();
        assertThat(cli.out).startsWith("Usage:\n  ibex add sync NAME").doesNotContain("add db:");
        assertThat(cli.run("help", "add", "db")).isZero();
        assertThat(cli.out).contains("ibex add db NAME dbname=DB", "[replica_mode=auto|none]", "add db: registers", "replica_mode (auto:",
                "ibex add db rds96").doesNotContain("add sync:", "ibex add table");
        assertThat(cli.run("help", "add", "table")).isZero();
        assertThat(cli.out).contains("ibex add table NAME|PATTERN", "add table / add sequence:").doesNotContain("add sync:", "add db:");
        assertThat(cli.run("help", "update", "table")).isZero();
        assertThat(cli.out).contains("ibex update table NAME [db=DB]", "update table (or sequence):", "db=DB").doesNotContain("update sync:");
        assertThat(cli.run("help", "remove", "table")).isZero();
        assertThat(cli.out).as("a page without parts is shown whole").startsWith("Usage: ibex remove").contains("[db=DB]");
    }

    @Test
    void replicaModeIsAmongTheKeysOfAddAndUpdate() {
        CliRunner cli = new CliRunner(dir);
        assertThat(cli.run("help", "add")).isZero();
        assertThat(cli.out).contains("[replica_mode=auto|none]", "replica_function, replica_mode");
        assertThat(cli.run("help", "update")).isZero();
        assertThat(cli.out).contains("makedelta, replica_function, replica_mode.");
    }
}
