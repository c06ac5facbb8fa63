package io.ibex.it;

import io.ibex.testkit.CommandLine;
import io.ibex.testkit.CommandLine.Result;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.verify.TableDigest;
import io.ibex.workload.Pgbench;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user story: the AWS walkthrough that moves a pgbench database to another server with Bucardo, done with
 * the ibex command line, step by step, against a PostgreSQL 9.6 source and a 17 target. The daemon runs as its
 * own process, started with {@code ibex start}.
 */
@ExtendWith(ServersPerClass.class)
class WalkthroughTest {

    @Server("9.6") static PostgresServer legacy;
    @Server("17") static PostgresServer rds;
    static Path work;

    @BeforeAll
    static void servers() throws Exception {
        work = Files.createTempDirectory("walkthrough");
    }

    static Result ibex(String... words) {
        return CommandLine.of(rds.port(), "bucardo", work, work.resolve("log")).run(words);
    }

    static String ok(String... words) {
        Result r = ibex(words);
        assertThat(r.code()).as("ibex %s\nout: %s\nerr: %s", String.join(" ", words), r.out(), r.err()).isZero();
        return r.out();
    }

    static final List<String> TABLES = List.of("public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers",
            "public.pgbench_history");

    static Map<String, TableDigest.Digest> digests(PostgresServer s) throws Exception {
        try (Connection c = s.connect("repdb")) {
            return TableDigest.ofAll(c, TABLES);
        }
    }

    @Test
    void theWalkthroughWorksWithIbexInPlaceOfBucardo() throws Exception {
        legacy.createDatabase("repdb");
        rds.createDatabase("repdb");
        try (Connection s = legacy.connect("repdb"); Connection t = rds.connect("repdb")) {
            Pgbench.initialize(s, 1, 10, 100_000);   // pgbench -i repdb
            Pgbench.createSchemaOnly(t);            // pg_dump --schema-only | psql: the rows come with onetimecopy=1
        }

        assertThat(ok("install")).contains("Installation is now complete.");
        assertThat(ok("install")).contains("already installed");
        assertThat(ok("add", "db", "pgdb84", "dbhost=localhost", "dbport=" + legacy.port(), "dbname=repdb", "dbuser=postgres"))
                .contains("Added database \"pgdb84\"");
        assertThat(ok("add", "db", "rds96", "dbhost=localhost", "dbport=" + rds.port(), "dbname=repdb", "dbuser=postgres",
                "dbpass=postgres123")).contains("Added database \"rds96\"");
        assertThat(ok("add", "table", "pgbench_accounts", "pgbench_branches", "pgbench_tellers", "herd=herd_pg84", "db=pgdb84"))
                .contains("Created the relgroup named \"herd_pg84\"")
                .contains("The following tables or sequences are now part of the relgroup \"herd_pg84\":")
                .contains("  public.pgbench_accounts\n").contains("  public.pgbench_branches\n").contains("  public.pgbench_tellers\n");
        assertThat(ok("add", "dbgroup", "pgdb84_to_rds96", "pgdb84:source", "rds96:target"))
                .contains("Created dbgroup \"pgdb84_to_rds96\"")
                .contains("Added database \"pgdb84\" to dbgroup \"pgdb84_to_rds96\" as source")
                .contains("Added database \"rds96\" to dbgroup \"pgdb84_to_rds96\" as target");
        Result added = ibex("add", "sync", "sync_pg84_rds96", "relgroup=herd_pg84", "db=pgdb84,rds96", "onetimecopy=1");
        assertThat(added.code()).as(added.err()).isZero();
        assertThat(added.out()).contains("Added sync \"sync_pg84_rds96\"").contains("Using existing dbgroup \"pgdb84_to_rds96\"")
                .contains("The first run copies every table whole (onetimecopy=1)");
        assertThat(added.err()).as("no empty-target warning with onetimecopy=1").isEmpty();
        assertThat(ok("status", "sync_pg84_rds96")).contains("Current state            : No records found")
                .contains("Source relgroup/database : herd_pg84 / pgdb84").contains("Tables in sync           : 3")
                .contains("Autokick                 : Yes");
        assertThat(ok("list", "dbs")).doesNotContain("postgres123");

        // the history table has no primary key: a fullcopy sync carries it, as Bucardo users do
        ok("add", "table", "pgbench_history", "herd=history", "db=pgdb84");
        ok("add", "dbgroup", "history_copy", "pgdb84:source", "rds96:fullcopy");
        ok("add", "sync", "history_sync", "relgroup=history", "dbs=history_copy");

        assertThat(ok("start")).contains("Starting ibex");
        try {
            // pgbench against the source, from several connections
            Pgbench.Load load = new Pgbench.Load(legacy.connectionSupplier("repdb"), 4).transactionsPerClient(1000).start();
            load.awaitDone();
            assertThat(load.transactions()).isEqualTo(4000);
            assertThat(ok("kick", "history_sync", "60")).contains("DONE");

            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!digests(legacy).equals(digests(rds)) && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertThat(digests(rds)).isEqualTo(digests(legacy));

            String detail = ok("status", "sync_pg84_rds96");
            assertThat(detail).contains("Current state            : Good").contains("Last good").containsPattern(
                    "Rows deleted/inserted    : [1-9][0-9]* / [1-9][0-9]*");
            assertThat(ok("status")).contains("PID of ibex daemon").contains("sync_pg84_rds96").contains("Good");
            // the move: writes have stopped; cutover waits for the backlog, copies sequences, verifies
            assertThat(ok("cutover", "sync_pg84_rds96", "timeout=120")).contains("Ready");
            assertThat(ok("verify", "sync_pg84_rds96")).contains("every table is identical");
            String log = Files.readString(work.resolve("log").resolve("log.ibex"));
            assertThat(log).contains("KID (sync_pg84_rds96) Delta count for pgdb84.public.pgbench_accounts")
                    .contains("KID (sync_pg84_rds96) Totals: deletes=").doesNotContain("postgres123");
            for (String file : List.of("log.ibex", "ibex.out")) {
                assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("log").resolve(file))))
                        .as(file).isEqualTo("rw-r-----");
            }
        } finally {
            assertThat(ok("stop")).contains("stopped");
        }
        assertThat(ibex("status").out()).contains("not running");
    }
}
