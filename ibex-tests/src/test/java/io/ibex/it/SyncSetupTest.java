package io.ibex.it;

import io.ibex.testkit.CommandLine;
import io.ibex.testkit.CommandLine.Result;

import io.ibex.embedded.PostgresServer;
import io.ibex.engine.Daemon;
import io.ibex.repository.Conflict;
import io.ibex.repository.Repository;
import io.ibex.model.Sync;
import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.verify.TableDigest;
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
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 19's set-up defects, through the command line against real servers: the autokick default of a sync with
 * several sources, conflict lists with mixed-case database names, a table added from two databases, and the
 * warning about a target table that onetimecopy=0 will never fill.
 */
@ExtendWith(ServersPerClass.class)
class SyncSetupTest {

    @Server("17") static PostgresServer server;
    static final AtomicInteger SEQ = new AtomicInteger();

    /** One repository and its own databases per test. */
    final class Setup {
        final String prefix = "setup" + SEQ.incrementAndGet();
        final Path home;

        Setup() throws Exception {
            home = Files.createTempDirectory(prefix);
            server().createDatabase(prefix + "repo");
            assertThat(ok("install")).contains("Installation is now complete.");
        }

        /** Creates database prefix+name with sql, and adds it to ibex as name. */
        void db(String name, String sql) throws Exception {
            server().createDatabase(prefix + name.toLowerCase());
            server().execute(prefix + name.toLowerCase(), sql);
            ok("add", "db", name, "dbname=" + prefix + name.toLowerCase(), "dbhost=localhost", "dbport=" + server().port(), "dbuser=postgres");
        }

        Connection connect(String name) throws Exception {
            return server().connect(prefix + name.toLowerCase());
        }

        TableDigest.Digest digest(String name) throws Exception {
            try (Connection c = connect(name)) {
                return TableDigest.ofAll(c, List.of("public.t")).get("public.t");
            }
        }

        Result run(String... words) {
            return CommandLine.of(server().port(), prefix + "repo", home, home).run(words);
        }

        String ok(String... words) {
            Result r = run(words);
            assertThat(r.code()).as("ibex %s\nout: %s\nerr: %s", String.join(" ", words), r.out(), r.err()).isZero();
            return r.out();
        }

        String fails(String... words) {
            Result r = run(words);
            assertThat(r.code()).as("ibex %s\nout: %s", String.join(" ", words), r.out()).isEqualTo(1);
            assertThat(r.err()).startsWith("ibex: ").doesNotContain("Exception");
            assertThat(r.err().strip().lines().count()).isEqualTo(1);
            return r.err();
        }

        Ibex api() {
            return new Ibex(new ConnectionSpec("localhost", server().port(), prefix + "repo", "postgres", null));
        }

        Sync sync(String name) {
            return api().syncs().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        }
    }

    static PostgresServer server() {
        return server;
    }

    static final String TABLE = "CREATE TABLE t (id int PRIMARY KEY, v text)";

    // ---------------------------------------------------------------- item 4: autokick defaults

    @Test
    void everySyncWithASourceDefaultsToAutokickOnAndOnlyAFullcopySyncToOff() throws Exception {
        Setup s = new Setup();
        s.db("a", TABLE);
        s.db("b", TABLE);
        s.db("c", TABLE);
        s.ok("add", "table", "t", "db=a", "relgroup=r");
        s.ok("add", "sync", "ab", "relgroup=r", "dbs=a:source,b:source");
        s.ok("add", "sync", "ac", "relgroup=r", "dbs=a:source,c:target");
        s.ok("add", "sync", "copyonly", "relgroup=r", "dbs=a:source,c:fullcopy");
        s.ok("add", "sync", "abquiet", "relgroup=r", "dbs=a:source,b:source,c:target", "autokick=off");
        assertThat(s.sync("ab").autokick()).as("two sources").isTrue();
        assertThat(s.sync("ac").autokick()).as("source and target").isTrue();
        assertThat(s.sync("copyonly").autokick()).as("fullcopy only").isFalse();
        assertThat(s.sync("abquiet").autokick()).as("autokick=off given").isFalse();
        String list = s.ok("list", "syncs");
        assertThat(list.lines().dropWhile(l -> !l.contains("Sync: ab ")).skip(1).findFirst().orElseThrow()).contains("autokick=on");
    }

    // ---------------------------------------------------------------- item 10: conflict lists keep their case

    @Test
    void aConflictListOfMixedCaseDatabasesIsKeptAsGivenCheckedAtUpdateAndDecides() throws Exception {
        Setup s = new Setup();
        String rows = "; INSERT INTO t SELECT g, 'start' FROM generate_series(1, 100) g";
        s.db("Alpha", TABLE + rows);
        s.db("Beta", TABLE + rows);
        s.db("Tgt", TABLE + rows);
        s.ok("add", "table", "t", "db=Alpha", "relgroup=r");
        s.ok("add", "dbgroup", "g", "Alpha:source", "Beta:source", "Tgt:target");
        s.ok("add", "sync", "mm", "relgroup=r", "dbs=g", "conflict_strategy=Beta Alpha");
        assertThat(s.sync("mm").conflictStrategy()).isEqualTo("Beta Alpha");

        String before = s.ok("list", "syncs");
        assertThat(s.fails("update", "sync", "mm", "conflict_strategy=x y z")).contains("\"x\" is not a source database");
        assertThat(s.fails("update", "sync", "mm", "conflict_strategy=beta alpha")).contains("\"beta\" is not a source database");
        assertThat(s.ok("list", "syncs")).isEqualTo(before);
        s.ok("update", "sync", "mm", "conflict_strategy=Alpha Beta");
        assertThat(s.sync("mm").conflictStrategy()).isEqualTo("Alpha Beta");
        s.ok("update", "sync", "mm", "conflict_strategy=Beta,Alpha");
        assertThat(s.sync("mm").conflictStrategy()).isEqualTo("Beta,Alpha");

        // both sources change key 1 while no daemon runs: Beta, first in the list, wins everywhere
        try (Connection a = s.connect("Alpha"); Connection b = s.connect("Beta")) {
            a.createStatement().execute("UPDATE t SET v = 'from Alpha' WHERE id = 1; INSERT INTO t VALUES (500, 'new on Alpha')");
            Thread.sleep(5);
            b.createStatement().execute("UPDATE t SET v = 'from Beta' WHERE id = 1; DELETE FROM t WHERE id = 2");
            Thread.sleep(5);
            a.createStatement().execute("UPDATE t SET v = 'from Alpha, later' WHERE id = 1");
        }
        Daemon daemon = new Daemon(s.api().repositorySpec(), s.home.resolve("ibex.pid"));
        Thread thread = new Thread(daemon::run, "setup-daemon");
        thread.start();
        try {
            assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && !(s.digest("Alpha").equals(s.digest("Beta")) && s.digest("Beta").equals(s.digest("Tgt")))) {
                Thread.sleep(200);
            }
            assertThat(s.digest("Beta")).as("Beta").isEqualTo(s.digest("Alpha"));
            assertThat(s.digest("Tgt")).as("Tgt").isEqualTo(s.digest("Alpha"));
            assertThat(s.digest("Alpha").rows()).isEqualTo(100);
            try (Connection t = s.connect("Tgt"); var rs = t.createStatement().executeQuery("SELECT v FROM t WHERE id = 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("from Beta");
            }
            try (Repository repo = s.api().openRepository()) {
                assertThat(repo.conflictLog().conflicts("mm", 10)).singleElement().extracting(Conflict::winner).isEqualTo("Beta");
            }
            assertThat(s.ok("status", "mm")).doesNotContain("Bad");
        } finally {
            daemon.requestStop();
            thread.join(60_000);
        }
    }

    // ---------------------------------------------------------------- item 11: db= on table commands

    @Test
    void aTableAddedFromTwoDatabasesIsAddressedWithDb() throws Exception {
        Setup s = new Setup();
        s.db("x", TABLE);
        s.db("y", TABLE);
        s.ok("add", "table", "public.t", "db=x");
        s.ok("add", "table", "public.t", "db=y");
        assertThat(s.fails("inspect", "table", "public.t")).contains("names 2 tables").contains("db=NAME").contains("x, y");
        assertThat(s.fails("update", "table", "public.t", "makedelta=on")).contains("db=NAME");
        assertThat(s.fails("remove", "table", "public.t")).contains("db=NAME");
        assertThat(s.fails("inspect", "table", "public.t", "db=nosuch")).contains("nosuch");

        assertThat(s.ok("inspect", "table", "public.t", "db=y")).contains("Database: y");
        s.ok("update", "table", "public.t", "db=y", "makedelta=on");
        assertThat(s.api().relations()).extracting(r -> r.db() + ":" + r.makedelta()).containsExactlyInAnyOrder("x:null", "y:true");
        s.ok("remove", "table", "t", "db=x");
        assertThat(s.api().relations()).extracting(r -> r.db()).containsExactly("y");
        assertThat(s.ok("inspect", "table", "t")).contains("Database: y").contains("makedelta=on");
    }

    // ---------------------------------------------------------------- item 7: a target onetimecopy=0 never fills

    @Test
    void anEmptyOrFarSmallerTargetTableIsWarnedAboutAtAddSyncValidateAndStatus() throws Exception {
        Setup s = new Setup();
        String filled = "; INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 2000) g; ANALYZE t";
        s.db("src", TABLE + filled);
        s.db("empty", TABLE);
        s.db("few", TABLE + "; INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 50) g; ANALYZE t");
        s.db("full", TABLE + filled);
        s.ok("add", "table", "t", "db=src", "relgroup=r");

        Result added = s.run("add", "sync", "toempty", "relgroup=r", "dbs=src:source,empty:target");
        assertThat(added.code()).isZero();
        assertThat(added.err()).isEqualTo("ibex: warning: table public.t on target \"empty\" is empty while it has rows on source "
                + "\"src\", and sync \"toempty\" has onetimecopy=0 (it sends only changes); run 'ibex update sync toempty onetimecopy=2' "
                + "to copy it\n");
        Result validated = s.run("validate", "toempty");
        assertThat(validated.code()).isZero();
        assertThat(validated.err()).isEqualTo(added.err());
        Result status = s.run("status", "toempty");
        assertThat(status.code()).isZero();
        assertThat(status.err()).isEqualTo(added.err());
        assertThat(s.run("status").err()).isEqualTo(added.err());

        Result few = s.run("add", "sync", "tofew", "relgroup=r", "dbs=src:source,few:target");
        assertThat(few.err()).startsWith("ibex: warning: table public.t on target \"few\" has about 50 rows against about 2000 on source")
                .contains("'ibex update sync tofew onetimecopy=1'").hasLineCount(1);
        assertThat(s.run("validate", "tofew").err()).isEqualTo(few.err());

        // a filled target, or a sync that copies, gets no warning
        Result full = s.run("add", "sync", "tofull", "relgroup=r", "dbs=src:source,full:target");
        assertThat(full.code()).isZero();
        assertThat(full.err()).isEmpty();
        assertThat(s.run("validate", "tofull").err()).isEmpty();
        assertThat(s.run("status", "tofull").err()).isEmpty();
        s.ok("update", "sync", "toempty", "onetimecopy=2");
        assertThat(s.run("validate", "toempty").err()).isEmpty();
        assertThat(s.run("status", "toempty").err()).isEmpty();
        server().execute(s.prefix + "few", "INSERT INTO t SELECT g, 'v' || g FROM generate_series(51, 2000) g; ANALYZE t");
        assertThat(s.run("validate", "tofew").err()).isEmpty();
    }
}
