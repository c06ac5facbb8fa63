package io.ibex.cli;

import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.RelGroup;
import io.ibex.model.Role;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    @TempDir
    Path dir;
    CliRunner cli;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(dir);
    }

    @Test
    void unknownVerbIsOneLineAndExitOne() {
        assertThat(cli.run("frobnicate", "sync")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: unknown command \"frobnicate\": run 'ibex help' for the list of commands\n");
        assertThat(cli.out).isEmpty();
    }

    @Test
    void unknownObjectAndOptionAreOneLine() {
        assertThat(cli.run("list", "gizmos")).isEqualTo(1);
        assertThat(cli.err.lines().toList()).hasSize(1).allMatch(l -> l.startsWith("ibex: unknown object type \"gizmos\""));
        assertThat(cli.run("status", "--colour")).isEqualTo(1);
        assertThat(cli.err.lines().toList()).containsExactly("ibex: unknown option --colour: run 'ibex help' for the options");
    }

    @Test
    void errorsFromTheApiAreOneLineWithoutStackUnlessDebug() {
        assertThat(cli.run("status", "nosuch")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: there is no sync named \"nosuch\"\n");
        assertThat(cli.run("status", "nosuch", "--debug")).isEqualTo(1);
        assertThat(cli.err).startsWith("ibex: there is no sync named \"nosuch\"\n").contains("\tat ");
    }

    @Test
    void versionAndNoArguments() {
        assertThat(cli.run("--version")).isZero();
        assertThat(cli.out).startsWith("ibex ");
        assertThat(cli.run()).isEqualTo(1);
        assertThat(cli.err).contains("Usage: ibex");
    }

    @Test
    void walkthroughAddDb() {
        assertThat(cli.run("add", "db", "pgdb84", "dbhost=ec2-34-229-97-46.compute-1.amazonaws.com", "dbport=5432", "dbname=repdb",
                "dbuser=postgres")).isZero();
        assertThat(cli.out).isEqualTo("Added database \"pgdb84\"\n");
        assertThat(cli.fake.calls).last().asString().contains("force=false").contains("dbname=repdb");
        assertThat(cli.run("add", "db", "rds96", "--force", "dbname=repdb", "dbpass=postgres123")).isZero();
        assertThat(cli.out).isEqualTo("Added database \"rds96\"\n");
        assertThat(cli.fake.calls).last().asString().contains("force=true");
    }

    @Test
    void walkthroughAddTable() {
        assertThat(cli.run("add", "table", "pgbench_accounts", "pgbench_branches", "pgbench_tellers", "herd=herd_pg84", "db=pgdb84")).isZero();
        assertThat(cli.out).isEqualTo("""
                Created the relgroup named "herd_pg84"
                The following tables or sequences are now part of the relgroup "herd_pg84":
                  public.pgbench_accounts
                  public.pgbench_branches
                  public.pgbench_tellers
                """);
        assertThat(cli.run("add_table", "t1", "--db", "pgdb84")).isZero();
        assertThat(cli.out).isEqualTo("Added the following tables or sequences:\n  public.t1\n");
        assertThat(cli.fake.calls).last().asString().contains("db=pgdb84").contains("sequences=false");
        assertThat(cli.run("add", "sequence", "s1", "db=pgdb84")).isZero();
        assertThat(cli.fake.calls).last().asString().contains("sequences=true");
    }

    @Test
    void walkthroughAddDbgroupAndSync() {
        assertThat(cli.run("add", "dbgroup", "pgdb84_to_rds96", "pgdb84:source", "rds96:target")).isZero();
        assertThat(cli.out).isEqualTo("""
                Created dbgroup "pgdb84_to_rds96"
                Added database "pgdb84" to dbgroup "pgdb84_to_rds96" as source
                Added database "rds96" to dbgroup "pgdb84_to_rds96" as target
                """);
        assertThat(cli.run("add", "sync", "sync_pg84_rds96", "relgroup=herd_pg84", "db=pgdb84,rds96")).isZero();
        assertThat(cli.out).startsWith("""
                Added sync "sync_pg84_rds96"
                Using existing dbgroup "dbgrp84_96"
                """).contains("Installed capture on database \"pgdb84\"");
    }

    @Test
    void addAllTablesPassesFiltersAndPkonly() {
        assertThat(cli.run("add", "all", "tables", "db=pgdb84", "relgroup=r", "-n", "public", "-N", "tmp", "-t", "a%", "-T", "b%", "pkonly")).isZero();
        String call = cli.fake.calls.get(cli.fake.calls.size() - 1);
        assertThat(call).doesNotContain("pkonly=").contains("schemas=[public]").contains("excludeSchemas=[tmp]").contains("tables=[a%]")
                .contains("excludeTables=[b%]").contains("pkOnly=true").contains("sequences=false");
        assertThat(cli.out).contains("The following tables or sequences are now part of the relgroup \"r\":\n  public.a\n  public.b\n");
        assertThat(cli.run("add_all_sequences", "db=pgdb84")).isZero();
        assertThat(cli.fake.calls).last().asString().contains("sequences=true");
        assertThat(cli.run("add", "all", "tables", "bogus")).isEqualTo(1);
        assertThat(cli.err).startsWith("ibex: add all tables: unexpected word \"bogus\"");
    }

    @Test
    void addRelgroup() {
        assertThat(cli.run("add", "herd", "h1", "t")).isZero();
        assertThat(cli.out).isEqualTo("Created relgroup \"h1\"\nThe following tables or sequences are now part of the relgroup \"h1\":\n  public.t\n");
    }

    @Test
    void globalOptionsAnywhereReachTheRepositoryConnection() {
        assertThat(cli.run("list", "--dbhost", "repo.example", "dbs", "--dbport=6000", "-d", "ctl", "--dbuser=bucardo")).isZero();
        assertThat(cli.lastSpec.host()).isEqualTo("repo.example");
        assertThat(cli.lastSpec.port()).isEqualTo(6000);
        assertThat(cli.lastSpec.dbname()).isEqualTo("ctl");
        assertThat(cli.lastSpec.user()).isEqualTo("bucardo");
        assertThat(cli.run(Map.of("IBEX_DBHOST", "envhost", "IBEX_DBPASS", "pw"), "list", "dbs")).isZero();
        assertThat(cli.lastSpec.host()).isEqualTo("envhost");
        assertThat(cli.lastSpec.password()).isEqualTo("pw");
    }

    @Test
    void listDbsNeverShowsThePassword() {
        cli.fake.databases.add(new Database("rds96", "postgres", "pgrds.example.com", 5432, "repdb", "postgres", "postgres123", "active", false, null));
        assertThat(cli.run("list", "dbs")).isZero();
        assertThat(cli.out).isEqualTo("Database: rds96  Status: active  Conn: psql -p 5432 -U postgres -d repdb -h pgrds.example.com\n");
        assertThat(cli.out).doesNotContain("postgres123");
        assertThat(cli.run("list", "all")).isZero();
        assertThat(cli.out).doesNotContain("postgres123").contains("-- databases:", "-- syncs:", "No syncs found.");
    }

    @Test
    void listEmptyAndPatterns() {
        assertThat(cli.run("lsit", "syncs")).isZero();
        assertThat(cli.out).isEqualTo("No syncs found.\n");
        cli.fake.relations.addAll(List.of(FakeIbex.table(1, "pgbench_accounts", "aid"), FakeIbex.table(2, "other", "id")));
        assertThat(cli.run("l", "tables", "pgbench%")).isZero();
        assertThat(cli.out).isEqualTo("Table: public.pgbench_accounts  DB: pgdb84  PK: aid (integer)\n");
        assertThat(cli.run("list", "tables", "nomatch")).isZero();
        assertThat(cli.out).isEqualTo("No tables found matching \"nomatch\".\n");
        cli.fake.relGroups.add(new RelGroup("herd_pg84", cli.fake.relations));
        cli.fake.dbGroups.add(new DbGroup("G", List.of(new DbGroup.Member("pgdb84", Role.SOURCE), new DbGroup.Member("rds96", Role.TARGET))));
        assertThat(cli.run("list", "herds")).isZero();
        assertThat(cli.out).isEqualTo("Relgroup: herd_pg84  DB: pgdb84  Members: public.pgbench_accounts, public.other\n");
        assertThat(cli.run("list", "dbgroups")).isZero();
        assertThat(cli.out).isEqualTo("Dbgroup: G  Members: pgdb84:source rds96:target\n");
    }

    @Test
    void removeAndUpdate() {
        assertThat(cli.run("delete", "sync", "s1", "s2", "--force")).isZero();
        assertThat(cli.out).isEqualTo("Removed sync \"s1\"\nRemoved sync \"s2\"\n");
        assertThat(cli.fake.calls).contains("remove sync s1 force=true");
        assertThat(cli.run("udpate", "sync", "s1", "checktime=5m", "inactive")).isZero();
        assertThat(cli.out).isEqualTo("Updated sync \"s1\"\n");
        assertThat(cli.fake.calls).last().asString().contains("checktime=5m").contains("status=inactive");
        assertThat(cli.run("update", "db", "rds96")).isEqualTo(1);
        assertThat(cli.err).startsWith("ibex: update database: give at least one key=value");
        assertThat(cli.run("activate", "sync", "s1", "ALL", "30")).isZero();
        assertThat(cli.out).isEqualTo("Activated sync \"s1\"\nActivated sync \"all\"\n");
        assertThat(cli.fake.calls).last().isEqualTo("activate [s1, all]");
        assertThat(cli.run("pause", "s%")).isZero();
        assertThat(cli.out).isEqualTo("Paused sync \"s%\"\n");
    }

    @Test
    void tableCommandsTakeDbToChooseAmongDatabases() {
        assertThat(cli.run("remove", "table", "public.t", "db=b")).isZero();
        assertThat(cli.fake.calls).last().isEqualTo("remove table public.t db=b force=false");
        assertThat(cli.run("remove", "sequence", "s", "database=b")).isZero();
        assertThat(cli.fake.calls).last().isEqualTo("remove sequence s db=b force=false");
        assertThat(cli.run("remove", "sync", "s1", "db=b")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: remove sync: unknown parameter db\n");
        cli.run("inspect", "table", "public.t", "db=b");
        assertThat(cli.fake.calls).last().isEqualTo("inspectTable public.t db=b");
        assertThat(cli.run("update", "table", "public.t", "db=b", "makedelta=on")).isZero();
        assertThat(cli.fake.calls).last().asString().contains("db=b").contains("makedelta=on");
    }

    @Test
    void listDbsShowsAReplicaModeOtherThanAuto() {
        cli.fake.databases.add(new Database("rds96", "postgres", "h", 5432, "repdb", "postgres", null, "active", false, null, "none"));
        assertThat(cli.run("list", "dbs")).isZero();
        assertThat(cli.out).isEqualTo("Database: rds96  Status: active  Conn: psql -p 5432 -U postgres -d repdb -h h  Replica mode: none\n");
    }

    @Test
    void emptyTargetWarningsGoToStderrAfterAddSyncAndValidate() {
        cli.fake.emptyTargetWarnings.add("table public.t on target \"b\" is empty");
        assertThat(cli.run("--quiet", "validate", "good")).isZero();
        assertThat(cli.err).isEqualTo("ibex: warning: table public.t on target \"b\" is empty\n");
    }

    @Test
    void quietSuppressesConfirmations() {
        assertThat(cli.run("--quiet", "remove", "sync", "s1")).isZero();
        assertThat(cli.out).isEmpty();
    }

    @Test
    void validateReportsEachSync() {
        assertThat(cli.run("validate", "good")).isZero();
        assertThat(cli.out).isEqualTo("Validating sync good ... OK\n  rds96: triggers and foreign keys held off by SET session_replication_role\n");
        assertThat(cli.run("vali", "good", "broken")).isEqualTo(1);
        assertThat(cli.out).isEqualTo("Validating sync good ... OK\n  rds96: triggers and foreign keys held off by SET session_replication_role\n"
                + "Validating sync broken ... FAILED: table public.t has no primary key\n");
    }

    @Test
    void messageAndInstall() {
        assertThat(cli.run("msg", "hello", "world")).isZero();
        assertThat(cli.fake.calls).last().isEqualTo("message hello world");
        assertThat(cli.run("install")).isZero();
        assertThat(cli.out).startsWith("Installation is now complete.\n");
        assertThat(cli.run("install")).isZero();
        assertThat(cli.out).isEqualTo("The ibex repository is already installed in database \"ibex\"; nothing changed.\n");
    }

    @Test
    void upgradeSaysWhatItDid() {
        assertThat(cli.run("upgrade")).isZero();
        assertThat(cli.out).isEqualTo("Upgraded the ibex repository in database \"ibex\" from schema version 1 to 2.\n");
        assertThat(cli.run("upgrade")).isZero();
        assertThat(cli.out).isEqualTo("The ibex repository in database \"ibex\" is up to date (schema version 2); nothing changed.\n");
        assertThat(cli.run("upgrade", "now")).isEqualTo(1);
        assertThat(cli.err).isEqualTo("ibex: upgrade: unexpected word \"now\" (see 'ibex help upgrade')\n");
        assertThat(cli.run("help", "upgrade")).isZero();
        assertThat(cli.out).contains("Usage: ibex upgrade");
    }

    @Test
    void statusWithoutDaemonOrSyncs() {
        assertThat(cli.run("status", "--piddir", dir.resolve("run").toString())).isZero();
        assertThat(cli.out).isEqualTo("ibex is not running\nNo syncs found.\n");
    }

    @Test
    void stopWhenNotRunning() {
        assertThat(cli.run("stop", "--piddir", dir.resolve("run").toString(), "--logdir", dir.resolve("log").toString())).isZero();
        assertThat(cli.out).isEqualTo("ibex is not running\n");
    }
}
