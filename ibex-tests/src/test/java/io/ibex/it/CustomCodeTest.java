package io.ibex.it;

import io.ibex.embedded.PostgresServer;
import io.ibex.spi.CustomCode;
import io.ibex.spi.CustomCodeContext;
import io.ibex.spi.CustomCodeResult;
import io.ibex.testkit.CommandLine;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.Db;
import io.ibex.testkit.InProcessDaemon;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Custom code through the command line: every moment of a one-source run recorded in the target, skip, error and
 * remove; a conflict code overruling the strategy; and exception code that repairs unique-constraint collisions
 * between two sources under a write load, after which every database has the same content.
 */
@ExtendWith(ServersPerClass.class)
class CustomCodeTest {

    @Server("17") static PostgresServer server;
    static final AtomicInteger SEQ = new AtomicInteger();

    String prefix;
    Path home;
    InProcessDaemon daemon;

    /** Records its moment and the batch's tables in table hooklog of the database the moment concerns. */
    public static class Recorder implements CustomCode {
        @Override
        public CustomCodeResult run(CustomCodeContext ctx) throws Exception {
            String db = ctx.database() != null ? ctx.database() : "t";
            Connection c = ctx.databases().get(db);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO hooklog (whenrun, tables) VALUES (?, ?)")) {
                ps.setString(1, ctx.when().label());
                ps.setString(2, new TreeMap<>(ctx.tables()).toString());
                ps.executeUpdate();
            }
            return CustomCodeResult.message("recorded " + ctx.when().label());
        }
    }

    public static class Skip implements CustomCode {
        @Override
        public CustomCodeResult run(CustomCodeContext ctx) {
            return CustomCodeResult.skip();
        }
    }

    public static class Fail implements CustomCode {
        @Override
        public CustomCodeResult run(CustomCodeContext ctx) {
            return CustomCodeResult.error("not today");
        }
    }

    /** Makes database "b" win every conflict it took part in. */
    public static class BWins implements CustomCode {
        @Override
        public CustomCodeResult run(CustomCodeContext ctx) {
            if (ctx.conflict().orElseThrow().changedAt().containsKey("b")) {
                ctx.winner("b");
            }
            return CustomCodeResult.ok();
        }
    }

    /**
     * Bucardo's classic: a unique violation between rows of different sources. Every email held by rows of
     * different ids on the databases is renamed to email#id on each database, then the batch is retried.
     */
    public static class RenameDuplicates implements CustomCode {
        @Override
        public CustomCodeResult run(CustomCodeContext ctx) throws Exception {
            CustomCodeContext.Failure f = ctx.failure().orElseThrow();
            if (!"23505".equals(f.sqlState())) {
                return CustomCodeResult.ok();
            }
            TreeMap<String, java.util.Set<Integer>> ids = new TreeMap<>();
            for (Connection c : ctx.databases().values()) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT email, id FROM users")) {
                    while (rs.next()) {
                        ids.computeIfAbsent(rs.getString(1), k -> new java.util.TreeSet<>()).add(rs.getInt(2));
                    }
                }
            }
            List<String> taken = new ArrayList<>();
            ids.forEach((email, who) -> {
                if (who.size() > 1) {
                    taken.add(email);
                }
            });
            for (Connection c : ctx.databases().values()) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE users SET email = email || '#' || id WHERE email = ANY (?)")) {
                    ps.setArray(1, c.createArrayOf("text", taken.toArray()));
                    ps.executeUpdate();
                }
            }
            return CustomCodeResult.retry("renamed " + taken.size() + " duplicate email(s)");
        }
    }

    Db db(String name, String... sql) throws Exception {
        Db d = Db.create(name, server, prefix + name);
        d.exec(sql);
        ok("add", "db", name, "dbname=" + d.name(), "dbhost=localhost", "dbport=" + server.port(), "dbuser=postgres");
        return d;
    }

    CommandLine.Result run(String... words) {
        return CommandLine.of(server.port(), prefix + "repo", home, home).run(words);
    }

    String ok(String... words) {
        CommandLine.Result r = run(words);
        assertThat(r.code()).as("ibex %s\nout: %s\nerr: %s", String.join(" ", words), r.out(), r.err()).isZero();
        return r.out();
    }

    void setup() throws Exception {
        prefix = "cc" + SEQ.incrementAndGet();
        home = Files.createTempDirectory(prefix);
        server.createDatabase(prefix + "repo");
        ok("install");
    }

    void startDaemon() throws Exception {
        daemon = new InProcessDaemon(new io.ibex.db.ConnectionSpec("localhost", server.port(), prefix + "repo", "postgres", null));
        assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).isTrue();
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    static List<String> column(Db d, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = d.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void everyMomentOfARunSkipErrorAndRemoveThroughTheCommandLine() throws Exception {
        setup();
        String table = "CREATE TABLE t (id int PRIMARY KEY, v text)";
        Db s = db("s", table);
        Db t = db("t", table, "CREATE TABLE hooklog (n serial, whenrun text, tables text)");
        ok("add", "table", "t", "db=s", "relgroup=rg");
        ok("add", "sync", "sy", "relgroup=rg", "db=s,t", "autokick=0"); // runs only when kicked: each kick runs with the custom code as changed before it
        List<String> moments = List.of("before_sync", "before_check_rows", "before_txn", "before_trigger_drop", "after_trigger_drop",
                "after_txn", "after_sync");
        for (String m : moments) {
            ok("add", "customcode", "rec_" + m, "whenrun=" + m, "class=" + Recorder.class.getName(), "sync=sy", "priority=5");
        }
        // skip: a code with a lower priority number ends the chain before the recorder
        ok("add", "customcode", "skipper", "whenrun=before_sync", "class=" + Skip.class.getName(), "relation=t", "priority=1");
        ok("update", "customcode", "skipper", "whenrun=after_sync");
        assertThat(ok("list", "customcode")).contains("skipper  whenrun=after_sync", "relation=public.t", "rec_before_txn");
        startDaemon();
        s.exec("INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 50) g");
        ok("kick", "sy", "60");
        Convergence.awaitAllEqual(Duration.ofSeconds(30), List.of("public.t"), List.of(s, t));
        List<String> seen = column(t, "SELECT whenrun || ' ' || tables FROM hooklog WHERE tables <> '{}' OR whenrun = 'before_sync' ORDER BY n");
        assertThat(seen).containsSubsequence("before_sync {}", "before_check_rows {public.t=50}", "before_txn {public.t=50}",
                "before_trigger_drop {public.t=50}", "after_trigger_drop {public.t=50}", "after_txn {public.t=50}");
        assertThat(column(t, "SELECT count(*) FROM hooklog WHERE whenrun = 'after_sync'")).containsExactly("0"); // skipped

        // error: the run fails, nothing is applied; removed, the next run applies the change
        ok("add", "customcode", "failer", "whenrun=before_txn", "class=" + Fail.class.getName(), "priority=0");
        s.exec("INSERT INTO t VALUES (51, 'after the failure')");
        CommandLine.Result failed = run("kick", "sy", "60");
        assertThat(failed.code()).isEqualTo(2);
        assertThat(failed.out() + failed.err()).contains("custom code \"failer\" (before_txn) failed the run: not today");
        assertThat(column(t, "SELECT count(*) FROM t")).containsExactly("50");
        ok("remove", "customcode", "failer");
        ok("kick", "sy", "60");
        Convergence.awaitAllEqual(Duration.ofSeconds(30), List.of("public.t"), List.of(s, t));
        assertThat(ok("list", "customcode")).doesNotContain("failer");
    }

    @Test
    void badInputIsOneLine() throws Exception {
        setup();
        CommandLine.Result r = run("add", "customcode", "x", "whenrun=sometimes", "class=" + Recorder.class.getName());
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").contains("whenrun=sometimes is not a moment");
        r = run("add", "customcode", "x", "whenrun=exception", "class=com.example.Nothing");
        assertThat(r.err().strip()).doesNotContain("\n").contains("not on the class path (set IBEX_CLASSPATH)");
        r = run("add", "customcode", "x", "whenrun=exception", "src_code=/tmp/x.pl");
        assertThat(r.err().strip()).contains("src_code= (Perl source) is not supported");
        assertThat(ok("list", "customcode")).contains("No custom code found.");
    }

    @Test
    void conflictCodeOverrulesTheStrategy() throws Exception {
        setup();
        String table = "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'start' FROM generate_series(1, 10) g";
        Db a = db("a", table);
        Db b = db("b", table);
        ok("add", "table", "t", "db=a", "relgroup=rg");
        ok("add", "sync", "mm", "relgroup=rg", "db=a:source,b:source", "conflict_strategy=latest");
        ok("add", "customcode", "bwins", "whenrun=conflict", "class=" + BWins.class.getName(), "relation=public.t");
        b.exec("UPDATE t SET v = 'from b' WHERE id = 1");
        Thread.sleep(20);
        a.exec("UPDATE t SET v = 'from a, later' WHERE id = 1");
        startDaemon();
        ok("kick", "mm", "60");
        Convergence.awaitAllEqual(Duration.ofSeconds(30), List.of("public.t"), List.of(a, b));
        assertThat(column(a, "SELECT v FROM t WHERE id = 1")).containsExactly("from b");
    }

    @Test
    void exceptionCodeRepairsUniqueCollisionsBetweenTwoSourcesUnderLoad() throws Exception {
        setup();
        String table = "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE)";
        Db a = db("a", table);
        Db b = db("b", table);
        ok("add", "table", "users", "db=a", "relgroup=rg");
        ok("add", "sync", "mm", "relgroup=rg", "db=a:source,b:source", "autokick=1");
        ok("add", "customcode", "rename", "whenrun=exception", "class=" + RenameDuplicates.class.getName(), "relation=users");
        startDaemon();
        // each source inserts its own ids (a odd, b even) with emails from a small shared pool: they collide across sources
        List<Thread> load = new ArrayList<>();
        long until = System.currentTimeMillis() + 6000;
        for (Db d : List.of(a, b)) {
            int first = d == a ? 1 : 2;
            Thread th = new Thread(() -> {
                java.util.Random rnd = new java.util.Random(first);
                try (Connection c = d.connect(); Statement s = c.createStatement()) {
                    for (int id = first; System.currentTimeMillis() < until; id += 2) {
                        s.execute("INSERT INTO users VALUES (" + id + ", 'e" + rnd.nextInt(400) + "') ON CONFLICT (email) DO NOTHING");
                        Thread.sleep(10);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            th.start();
            load.add(th);
        }
        for (Thread th : load) {
            th.join();
        }
        ok("kick", "mm", "120");
        Convergence.awaitAllEqual(Duration.ofSeconds(60), List.of("public.users"), List.of(a, b));
        long renamed = Long.parseLong(column(a, "SELECT count(*) FROM users WHERE email LIKE '%#%'").get(0));
        assertThat(renamed).as("collisions repaired").isPositive();
        assertThat(column(a, "SELECT count(*) FROM users").get(0)).isEqualTo(column(b, "SELECT count(*) FROM users").get(0));
    }
}
