package io.ibex.cli;

import io.ibex.settings.Settings;
import io.ibex.api.Ibex;
import io.ibex.model.TableInfo;
import io.ibex.engine.SyncPlan;
import io.ibex.model.Database;
import io.ibex.model.Relation;
import io.ibex.repository.Conflict;
import io.ibex.model.Role;
import io.ibex.verify.CompareResult;
import io.ibex.verify.CompareResult.Kind;
import io.ibex.verify.CompareResult.KeyDifference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** verify, cutover, sql, delta, purge, set, show, list conflicts and inspect, against a FakeIbex. */
class OperationsTest {
    @TempDir
    Path dir;
    CliRunner cli;

    static final Database PGDB84 = new Database("pgdb84", "postgres", "172.31.16.177", 5432, "repdb", "postgres", null, "active", false, null);
    static final Database RDS96 = new Database("rds96", "postgres", "pgrds.example.com", 5432, "repdb", "rdsadmin", "secret", "active", false,
            null);

    @BeforeEach
    void setUp() {
        cli = new CliRunner(dir);
    }

    static Ibex.TableVerification same(String table, long rows) {
        return new Ibex.TableVerification(table, "rds96", rows, rows, true,
                new CompareResult(rows, rows, 0, 0, 0, List.of(), 1, 0));
    }

    // ---------------------------------------------------------------- verify

    @Test
    void verifyIdenticalPrintsALinePerTableAsItFinishesThenTheResults() {
        cli.fake.progress.add(new Object[] {"public.pgbench_accounts", "rds96", 500_000L, 1_000_000L});
        cli.fake.progress.add(new Object[] {"public.pgbench_accounts", "rds96", 1_000_000L, 1_000_000L});
        cli.fake.progress.add(new Object[] {"public.pgbench_tellers", "rds96", 10L, 10L});
        cli.fake.verification = new Ibex.Verification("sync_pg84_rds96", "pgdb84",
                List.of(same("public.pgbench_accounts", 1_000_000), same("public.pgbench_tellers", 10)));
        assertThat(cli.run("verify", "sync_pg84_rds96")).isZero();
        assertThat(cli.out).isEqualTo("""
                public.pgbench_accounts -> rds96: compared 1,000,000 rows
                public.pgbench_tellers -> rds96: compared 10 rows
                public.pgbench_accounts on rds96: identical (1,000,000 rows)
                public.pgbench_tellers on rds96: identical (10 rows)
                verify: every table is identical
                """);
        assertThat(cli.fake.calls).last().isEqualTo("verify sync_pg84_rds96 [] maxKeys=20");
        assertThat(cli.run("--quiet", "verify", "sync", "sync_pg84_rds96")).isZero();
        assertThat(cli.out).doesNotContain("compared").contains("verify: every table is identical");
    }

    @Test
    void verifyDifferentNamesTheKeysAndExitsOne() {
        cli.fake.relations.add(FakeIbex.table(1, "pgbench_tellers", "tid"));
        CompareResult d = new CompareResult(10, 9, 1, 0, 2, List.of(new KeyDifference(Kind.MISSING_ON_TARGET, List.of("7")),
                new KeyDifference(Kind.DIFFERENT, List.of("3"))), 1, 1);
        CompareResult composite = new CompareResult(5, 6, 0, 1, 0, List.of(new KeyDifference(Kind.EXTRA_ON_TARGET, List.of("a", "1"))), 1, 1);
        cli.fake.verification = new Ibex.Verification("s", "pgdb84", List.of(
                new Ibex.TableVerification("public.pgbench_tellers", "rds96", 10, 9, false, d),
                new Ibex.TableVerification("public.pairs", "rds96", 5, 6, false, composite),
                new Ibex.TableVerification("public.nokey", "rds96", 1000, 999, false, null),
                same("public.pgbench_accounts", 1)));
        assertThat(cli.run("verify", "s", "pgbench_tellers", "public.pairs", "maxkeys=2")).isEqualTo(1);
        assertThat(cli.fake.calls).last().isEqualTo("verify s [pgbench_tellers, public.pairs] maxKeys=2");
        assertThat(cli.out).isEqualTo("""
                public.pgbench_tellers on rds96: DIFFERENT (source 10 rows, target 9 rows): 1 missing on target, 0 extra on target, 2 different
                  missing on target: tid=7
                  different: tid=3
                  ... and 1 more (maxkeys=2)
                public.pairs on rds96: DIFFERENT (source 5 rows, target 6 rows): 0 missing on target, 1 extra on target, 0 different
                  extra on target: (a,1)
                public.nokey on rds96: DIFFERENT (source 1,000 rows, target 999 rows); the table has no key, so the rows that differ cannot be named
                public.pgbench_accounts on rds96: identical (1 row)
                verify: 3 table(s) differ
                """);
    }

    @Test
    void verifyKeyFormats() {
        assertThat(VerifyCommand.key(List.of("id"), List.of("42"))).isEqualTo("id=42");
        assertThat(VerifyCommand.key(List.of("a", "b"), List.of("x", "1"))).isEqualTo("a=x, b=1");
        assertThat(VerifyCommand.key(List.of(), List.of("x", "1"))).isEqualTo("(x,1)");
    }

    @Test
    void verifyRefusesBadInputInOneLine() {
        assertThat(cli.run("verify")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: verify: name the sync to verify, e.g. 'ibex verify sync_pg84_rds96'\n");
        assertThat(cli.run("verify", "s", "maxkeys=lots")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: verify: maxkeys must be a whole number of at least 0, not \"lots\"\n");
        assertThat(cli.run("verify", "s", "colour=red")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: verify: unknown parameter colour\n");
        assertThat(cli.fake.calls).noneMatch(c -> c.startsWith("verify"));
    }

    @Test
    void progressBarOnAConsoleIsRedrawnInPlace() throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8);
        Context ctx = new Context(Args.parse(), GlobalOptions.resolve(Args.parse("--no-ibexrc"), Map.of(), dir, dir), out, out, Map.of(),
                spec -> cli.fake);
        VerifyCommand.ProgressPrinter p = new VerifyCommand.ProgressPrinter(ctx, true);
        p.update("public.t", "rds96", 0, 1000);
        p.update("public.t", "rds96", 1, 1000); // same percent: not redrawn
        p.update("public.t", "rds96", 610, 1000);
        p.update("public.u", "rds96", 5, 5);
        p.finish();
        String bar0 = "public.t -> rds96 [....................] 0% 0/1,000 rows";
        String bar61 = "public.t -> rds96 [############........] 61% 610/1,000 rows";
        String doneT = "public.t -> rds96: compared 610 rows";
        String barU = "public.u -> rds96 [####################] 100% 5/5 rows";
        String doneU = "public.u -> rds96: compared 5 rows";
        assertThat(o.toString(StandardCharsets.UTF_8)).isEqualTo("\r" + bar0 + "\r" + bar61 + "\r" + Formats.pad(doneT, bar61.length()) + "\n"
                + "\r" + barU + "\r" + Formats.pad(doneU, barU.length()) + "\n");
        assertThat(VerifyCommand.ProgressPrinter.bar("public.pgbench_accounts -> rds96", 610_000, 1_000_000))
                .isEqualTo("public.pgbench_accounts -> rds96 [############........] 61% 610,000/1,000,000 rows");
    }

    @Test
    void progressBarAfterAFailureEndsTheLineWithoutClaimingTheTableWasCompared() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8);
        Context ctx = new Context(Args.parse(), GlobalOptions.resolve(Args.parse("--no-ibexrc"), Map.of(), dir, dir), out, out, Map.of(),
                spec -> cli.fake);
        try (VerifyCommand.ProgressPrinter p = new VerifyCommand.ProgressPrinter(ctx, true)) {
            p.update("public.t", "rds96", 10, 100);
        }
        assertThat(o.toString(StandardCharsets.UTF_8)).isEqualTo("\rpublic.t -> rds96 [##..................] 10% 10/100 rows\n");
    }

    // ---------------------------------------------------------------- cutover

    @Test
    void cutoverReady() {
        cli.fake.cutoverLines.addAll(List.of("backlog: 0 change(s) {rds96=0}, last run DONE", "verifying every table"));
        cli.fake.progress.add(new Object[] {"public.pgbench_accounts", "rds96", 100L, 100L});
        cli.fake.cutover = new Ibex.CutoverReport(true, Duration.ofSeconds(3), Map.of("rds96", 0L),
                new Ibex.Verification("s", "pgdb84", List.of(same("public.pgbench_accounts", 100))));
        assertThat(cli.run("cutover", "sync_pg84_rds96", "timeout=300")).isZero();
        assertThat(cli.fake.calls).last().isEqualTo("cutover sync_pg84_rds96 timeout=300");
        assertThat(cli.out).isEqualTo("""
                Cutover of sync sync_pg84_rds96: waiting up to 5m for every change to reach the targets
                backlog: 0 change(s) {rds96=0}, last run DONE
                verifying every table
                public.pgbench_accounts -> rds96: compared 100 rows
                public.pgbench_accounts on rds96: identical (100 rows)
                Ready: every target has every change and is identical to the source; point the application to the target(s) now.
                """);
        assertThat(cli.run("cutover", "s")).isZero();
        assertThat(cli.fake.calls).last().isEqualTo("cutover s timeout=600");
    }

    @Test
    void cutoverNotReadyWithBacklogOrDifferences() {
        cli.fake.cutover = new Ibex.CutoverReport(false, Duration.ofSeconds(600), Map.of("rds96", 1234L), null);
        assertThat(cli.run("cutover", "s", "timeout=600")).isEqualTo(1);
        assertThat(cli.out.lines().toList()).last().isEqualTo(
                "Not ready: after 10m 1,234 change(s) are still to be delivered (rds96: 1234 changes); are writes to the source stopped?"
                        + " (timeout was 600s)");
        cli.fake.cutover = new Ibex.CutoverReport(false, Duration.ofSeconds(600), Map.of("rds96", 0L), null);
        assertThat(cli.run("cutover", "s")).isEqualTo(1);
        assertThat(cli.out.lines().toList()).last().isEqualTo("Not ready: the sync's runs did not finish well within 600s: see 'ibex status s'");
        cli.fake.cutover = new Ibex.CutoverReport(false, Duration.ofSeconds(4), Map.of("rds96", 0L), new Ibex.Verification("s", "pgdb84",
                List.of(new Ibex.TableVerification("public.t", "rds96", 2, 1, false, null))));
        assertThat(cli.run("cutover", "s")).isEqualTo(1);
        assertThat(cli.out).contains("public.t on rds96: DIFFERENT (source 2 rows, target 1 rows)")
                .endsWith("Not ready: 1 table(s) differ from the source: public.t on rds96\n");
        assertThat(cli.run("cutover", "s", "timeout=0")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: cutover: timeout must be a whole number of at least 1, not \"0\"\n");
        assertThat(cli.run("cutover")).isEqualTo(1);
        assertThat(cli.err).startsWith("ibex: cutover: name the sync");
    }

    // ---------------------------------------------------------------- sql

    @Test
    void sqlReplicaFunctionForARoleOrTheUserOfADatabase() {
        assertThat(cli.run("sql", "replica_function", "ibex_apply")).isZero();
        assertThat(cli.out).contains("CREATE OR REPLACE FUNCTION public.ibex_replication_role(role text)",
                "GRANT EXECUTE ON FUNCTION public.ibex_replication_role(text) TO \"ibex_apply\";");
        cli.fake.databases.addAll(List.of(PGDB84, RDS96));
        assertThat(cli.run("sql_replica_function", "db=rds96")).isZero();
        assertThat(cli.out).contains("TO \"rdsadmin\";").doesNotContain("secret");
        assertThat(cli.run("sql", "replica_function")).isEqualTo(1);
        assertThat(cli.err).startsWith("ibex: sql replica_function: name the role");
        assertThat(cli.run("sql", "replica_function", "db=nosuch")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: there is no database named \"nosuch\"\n");
        assertThat(cli.run("sql", "drop_everything")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: sql: unknown script \"drop_everything\": the only one is replica_function\n");
        assertThat(cli.run("sql")).isEqualTo(1);
    }

    // ---------------------------------------------------------------- delta and purge

    @Test
    void deltaAlignsAndTotals() {
        cli.fake.deltas.addAll(List.of(new Ibex.Delta("pgdb84", "public.pgbench_accounts", 1234),
                new Ibex.Delta("pgdb84", "public.pgbench_tellers", 12), new Ibex.Delta("other", "public.t", 1_000_000)));
        assertThat(cli.run("delta")).isZero();
        assertThat(cli.out).isEqualTo("""
                pgdb84  public.pgbench_accounts      1,234
                pgdb84  public.pgbench_tellers          12
                other   public.t                 1,000,000
                Total for pgdb84: 1,246
                Total for other: 1,000,000
                Total: 1,001,246
                """);
        assertThat(cli.run("delta", "pgdb84")).isZero();
        assertThat(cli.fake.calls).last().isEqualTo("delta [pgdb84]");
        assertThat(cli.out).isEqualTo("""
                pgdb84  public.pgbench_accounts  1,234
                pgdb84  public.pgbench_tellers      12
                Total: 1,246
                """);
        assertThat(cli.run("delta", "nochanges")).isZero();
        assertThat(cli.out).isEqualTo("Total: 0\n");
    }

    @Test
    void purge() {
        cli.fake.purged = 1234;
        assertThat(cli.run("purge")).isZero();
        assertThat(cli.out).isEqualTo("Purged 1,234 change rows.\n");
        cli.fake.purged = 1;
        assertThat(cli.run("purge", "all")).isZero();
        assertThat(cli.out).isEqualTo("Purged 1 change row.\n");
        assertThat(cli.run("purge", "everything")).isEqualTo(1);
        assertThat(cli.err).startsWith("ibex: purge: unexpected word \"everything\"");
    }

    // ---------------------------------------------------------------- set and show

    @Test
    void setEachSettingInOrder() {
        assertThat(cli.run("set", "log_level=verbose", "PURGE_INTERVAL=60")).isZero();
        assertThat(cli.out).isEqualTo("Set log_level = verbose\nSet purge_interval = 60\n");
        assertThat(cli.fake.calls).containsSubsequence("set log_level=verbose", "set PURGE_INTERVAL=60");
        assertThat(cli.run("set", "nosuch=1")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: unknown setting \"nosuch\"\n");
        assertThat(cli.run("set", "log_level")).isEqualTo(1);
        assertThat(cli.err).startsWith("ibex: set: give each setting as NAME=VALUE, not \"log_level\"");
        assertThat(cli.run("set")).isEqualTo(1);
        assertThat(cli.err).startsWith("ibex: set: give at least one NAME=VALUE");
    }

    @Test
    void showAlignedAndExitZero() {
        cli.fake.settings.put("log_level", "verbose");
        assertThat(cli.run("show", "all")).isZero();
        assertThat(cli.out).isEqualTo("""
                copy_parallelism = 2
                copy_split_rows  = 1000000
                create_tables    = on
                gather_max_ms    = 500
                gather_ms        = 20
                http_listen      = 127.0.0.1:9187
                lease_seconds    = 15
                log_level        = verbose
                max_backoff      = 60
                poll_ms          = 10
                purge_interval   = 30
                slice_keys       = 500000
                status_interval  = 10
                """);
        assertThat(cli.run("show")).isZero();
        assertThat(cli.out.lines()).hasSize(Settings.DEFAULTS.size());
        assertThat(cli.run("show", "LOG_LEVEL", "max_backoff")).isZero();
        assertThat(cli.out).isEqualTo("log_level   = verbose\nmax_backoff = 60\n");
        assertThat(cli.run("show", "colour")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: show: unknown setting \"colour\": one of copy_parallelism, copy_split_rows, create_tables, gather_max_ms, gather_ms, http_listen, lease_seconds, log_level, max_backoff, poll_ms, purge_interval, slice_keys, status_interval\n");
    }

    // ---------------------------------------------------------------- list conflicts

    static Conflict conflict(String sync, String key, String winner, int minute) {
        return new Conflict(sync, 7, "public.t", key, List.of("a", "b"), winner, "latest",
                OffsetDateTime.of(2024, 5, 1, 10, minute, 0, 0, ZoneOffset.UTC));
    }

    @Test
    void listConflicts() {
        assertThat(cli.run("list", "conflicts")).isZero();
        assertThat(cli.out).isEqualTo("No conflicts found.\n");
        assertThat(cli.fake.calls).last().isEqualTo("conflicts null limit=50");
        cli.fake.conflicts.addAll(List.of(conflict("sync_ab", "42", "b", 5), conflict("sync_ab", "x,1", null, 1), conflict("other", "1", "a", 0)));
        assertThat(cli.run("list", "conflicts", "sync_ab", "limit=5")).isZero();
        assertThat(cli.fake.calls).last().isEqualTo("conflicts sync_ab limit=5");
        assertThat(cli.out.lines().toList()).hasSize(2);
        assertThat(cli.out).contains("Sync: sync_ab  Table: public.t  Key: 42   DBs: a,b  Winner: b        Strategy: latest")
                .contains("Key: x,1  DBs: a,b  Winner: skipped  Strategy: latest");
        assertThat(cli.run("list", "conflicts", "nosuch")).isZero();
        assertThat(cli.out).isEqualTo("No conflicts found for sync \"nosuch\".\n");
        assertThat(cli.run("list_conflicts", "limit=0")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: list conflicts: limit must be a whole number of at least 1, not \"0\"\n");
        assertThat(cli.run("list", "conflicts", "a", "b")).isEqualTo(1);
        assertThat(cli.run("list", "all")).isZero();
        assertThat(cli.out).doesNotContain("Conflict");
    }

    @Test
    void conflictLinesInAZone() {
        assertThat(ListCommand.conflictLines(List.of(conflict("s", "42", "b", 5), conflict("s", "7", null, 1)), ZoneOffset.UTC))
                .containsExactly(
                        "Conflict: 2024-05-01 10:05:00  Sync: s  Table: public.t  Key: 42  DBs: a,b  Winner: b        Strategy: latest",
                        "Conflict: 2024-05-01 10:01:00  Sync: s  Table: public.t  Key: 7   DBs: a,b  Winner: skipped  Strategy: latest");
    }

    // ---------------------------------------------------------------- inspect

    @Test
    void inspectTable() {
        Relation r = FakeIbex.table(1, "pgbench_accounts", "aid");
        TableInfo info = new TableInfo("public", "pgbench_accounts", List.of(new TableInfo.Column("aid", "integer"),
                new TableInfo.Column("bid", "integer"), new TableInfo.Column("filler", "character(84)")), List.of("aid"), List.of("integer"));
        cli.fake.inspection = new Ibex.TableInspection(r, info, List.of("herd_pg84"), List.of("sync_pg84_rds96"));
        assertThat(cli.run("inspect", "table", "pgbench_accounts")).isZero();
        assertThat(cli.out).isEqualTo("""
                Table: public.pgbench_accounts
                Database: pgdb84
                Key: aid (integer)
                Columns (3):
                  aid     integer  (key)
                  bid     integer
                  filler  character(84)
                Relgroups: herd_pg84
                Syncs: sync_pg84_rds96
                """);
        Relation nokey = new Relation(2, "pgdb84", "public", "log", "table", List.of(), List.of(), false, null, null, null);
        cli.fake.inspection = new Ibex.TableInspection(nokey, null, List.of(), List.of());
        assertThat(cli.run("inspect", "table", "log")).isZero();
        assertThat(cli.out).isEqualTo("""
                Table: public.log
                Database: pgdb84
                Key: none (only a sync with fullcopy targets can copy it)
                Columns: unknown: the table is not found on database pgdb84
                Options: autokick=off
                Relgroups: none
                Syncs: none
                """);
    }

    @Test
    void inspectSyncShowsWhatValidateResolved() {
        Relation accounts = FakeIbex.table(1, "pgbench_accounts", "aid");
        TableInfo info = new TableInfo("public", "pgbench_accounts", List.of(new TableInfo.Column("aid", "integer"),
                new TableInfo.Column("abalance", "integer")), List.of("aid"), List.of("integer"));
        Relation seq = new Relation(3, "pgdb84", "public", "s1", "sequence", List.of(), List.of(), null, null, null, null);
        SyncPlan plan = new SyncPlan(FakeIbex.sync("sync_pg84_rds96"), List.of(PGDB84), List.of(new SyncPlan.Member(RDS96, Role.TARGET)),
                List.of(new SyncPlan.Table(accounts, info)), List.of(seq));
        Map<String, String> modes = new LinkedHashMap<>();
        modes.put("rds96", "function public.rds_session_replication_role()");
        cli.fake.validation = new Ibex.Validation(plan, modes);
        assertThat(cli.run("inspect", "sync", "sync_pg84_rds96")).isZero();
        assertThat(cli.out).isEqualTo("""
                Sync: sync_pg84_rds96  [Active]
                Relgroup: herd_pg84  Dbgroup: pgdb84_to_rds96
                Sources:
                  pgdb84  source    psql -p 5432 -U postgres -d repdb -h 172.31.16.177
                Targets:
                  rds96   target    psql -p 5432 -U rdsadmin -d repdb -h pgrds.example.com  (triggers and foreign keys held off by \
                function public.rds_session_replication_role())
                Tables (1):
                  public.pgbench_accounts  key: aid (integer)  2 columns
                Sequences (1): public.s1
                Options: autokick=on checktime=none onetimecopy=0 stayalive=on kidsalive=on conflict_strategy=latest \
                deletemethod=delete analyze_after_copy=on rebuild_index=0 ddl=auto
                """);
        assertThat(cli.out).doesNotContain("secret");
        assertThat(cli.run("inspect", "sync", "broken")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: table public.t has no primary key\n");
    }

    @Test
    void inspectRefusesOtherObjects() {
        assertThat(cli.run("inspect")).isEqualTo(1);
        assertThat(cli.err).startsWith("ibex: inspect: say what to inspect");
        assertThat(cli.run("inspect", "db", "pgdb84")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: inspect: only a table (or sequence) or a sync can be inspected\n");
        assertThat(cli.run("inspect", "table")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: inspect table: name the table to inspect\n");
        assertThat(cli.run("inspect", "table", "nosuch")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: there is no table named \"nosuch\"\n");
    }
}
