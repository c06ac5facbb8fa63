package io.ibex.demo;

import io.ibex.IbexException;
import io.ibex.embedded.PostgresServer;
import io.ibex.verify.TableDigest;
import io.ibex.workload.Pgbench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ibex demo}: the main job end to end on servers it starts itself. Two PostgreSQL servers, a pgbench-like
 * source, the sync configured with the same commands a user types (they are printed), an initial copy by
 * onetimecopy, a concurrent write load with a live line, then a comparison of every table on both sides.
 */
public final class Demo {

    static final List<String> TABLES = List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers", "ibex_demo_heartbeat");

    private final PrintStream out;
    private final Map<String, String> options;
    private final CommandLine commandLine;
    private List<String> globals;
    private final Map<String, String> env = new HashMap<>(System.getenv());

    private Demo(PrintStream out, Map<String, String> options, CommandLine ibex) {
        this.out = out;
        this.options = options;
        this.commandLine = ibex;
    }

    /**
     * Options: seconds (20), accounts (100000), clients (4), source (17 or 9.6), target (17). ibex: the command line
     * that runs the commands the demo prints.
     */
    public static int run(PrintStream out, Map<String, String> options, CommandLine ibex) {
        try {
            return new Demo(out, options, ibex).run();
        } catch (IbexException e) {
            out.println("ibex demo: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            out.println("ibex demo failed: " + e);
            return 1;
        }
    }

    private int option(String name, int dflt) {
        String v = options.get(name);
        try {
            return v == null ? dflt : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IbexException(name + " must be a whole number, not \"" + v + "\"");
        }
    }

    private int run() throws Exception {
        for (String key : options.keySet()) {
            if (!List.of("seconds", "accounts", "clients", "source", "target").contains(key)) {
                throw new IbexException("unknown demo option \"" + key + "\" (seconds, accounts, clients, source, target)");
            }
        }
        int seconds = option("seconds", 20);
        int accounts = option("accounts", 100_000);
        int clients = option("clients", 4);
        String sourceVersion = options.getOrDefault("source", "17");
        String targetVersion = options.getOrDefault("target", "17");
        Path work = Files.createTempDirectory("ibex-demo");
        out.println("ibex demo: live replication between two PostgreSQL servers started here");
        out.println();
        try (PostgresServer source = step("Starting PostgreSQL " + sourceVersion + " (source)", () -> PostgresServer.start(sourceVersion));
             PostgresServer target = step("Starting PostgreSQL " + targetVersion + " (target)", () -> PostgresServer.start(targetVersion))) {
            out.printf("  source on localhost:%d, target on localhost:%d%n", source.port(), target.port());
            source.createDatabase("repdb");
            target.createDatabase("repdb");
            try (Connection s = source.connect("repdb"); Connection t = target.connect("repdb")) {
                step("Creating pgbench tables with " + accounts + " accounts on the source", () -> {
                    Pgbench.initialize(s, Math.max(1, accounts / 100_000), Math.max(10, accounts / 10_000), accounts);
                    return null;
                });
                Pgbench.createSchemaOnly(t);
                for (Connection c : List.of(s, t)) {
                    exec(c, "CREATE TABLE ibex_demo_heartbeat (id int PRIMARY KEY, beat timestamptz NOT NULL)");
                }
                exec(s, "INSERT INTO ibex_demo_heartbeat VALUES (1, clock_timestamp())");
            }
            globals = List.of("--dbhost", "localhost", "--dbport", String.valueOf(target.port()), "--dbname", "ibex",
                    "--dbuser", "postgres", "--piddir", work.resolve("run").toString(), "--logdir", work.resolve("log").toString(),
                    "--no-ibexrc");
            out.println();
            out.println("Configuring replication with the ibex commands (repository: database \"ibex\" on the target server):");
            ibex("install");
            ibex("add", "db", "pgsource", "dbhost=localhost", "dbport=" + source.port(), "dbname=repdb", "dbuser=postgres");
            ibex("add", "db", "pgtarget", "dbhost=localhost", "dbport=" + target.port(), "dbname=repdb", "dbuser=postgres");
            ibex("add", "table", "pgbench_accounts", "pgbench_branches", "pgbench_tellers", "ibex_demo_heartbeat", "herd=demo", "db=pgsource");
            ibex("add", "dbgroup", "demo", "pgsource:source", "pgtarget:target");
            ibex("add", "sync", "demo", "relgroup=demo", "dbs=demo", "onetimecopy=1");
            ibex("start");
            try {
                long copyStart = System.nanoTime();
                ibex("kick", "demo", "0");
                out.printf("  initial copy done in %.1f s%n", (System.nanoTime() - copyStart) / 1e9);
                out.println();
                runLoad(source, target, seconds, clients);
                boolean identical = compare(source, target);
                out.println();
                ibex("status", "demo");
                out.println();
                out.println(identical ? "RESULT: every table is identical on source and target (row counts and content hashes)."
                        : "RESULT: the target differs from the source.");
                return identical ? 0 : 1;
            } finally {
                ibex("stop");
            }
        }
    }

    private void runLoad(PostgresServer source, PostgresServer target, int seconds, int clients) throws Exception {
        out.printf("Running a TPC-B-like write load from %d clients for %d s while ibex replicates:%n", clients, seconds);
        Pgbench.Load load = new Pgbench.Load(source.connectionSupplier("repdb"), clients).duration(Duration.ofSeconds(seconds)).start();
        long start = System.nanoTime();
        long lastTx = 0;
        try (Connection s = source.connect("repdb"); Connection t = target.connect("repdb"); Connection repo = target.connect("ibex")) {
            long baseline = replicatedRows(repo); // the initial copy is not part of the live figure
            long lastRows = 0;
            while (!load.isDone()) {
                for (int i = 0; i < 10 && !load.isDone(); i++) {
                    exec(s, "UPDATE ibex_demo_heartbeat SET beat = clock_timestamp() WHERE id = 1");
                    Thread.sleep(100);
                }
                long rows = replicatedRows(repo) - baseline;
                long tx = load.transactions();
                double lag = lagSeconds(t);
                out.printf("  [%3d s] source: %,d transactions (%,d/s) | replicated: %,d rows (%,d/s) | lag %.2f s%n",
                        (System.nanoTime() - start) / 1_000_000_000L, tx, tx - lastTx, rows, rows - lastRows, lag);
                lastRows = rows;
                lastTx = tx;
            }
            load.awaitDone();
            exec(s, "UPDATE ibex_demo_heartbeat SET beat = clock_timestamp() WHERE id = 1");
            out.printf("Load finished: %,d transactions, %d errors.%n", load.transactions(), load.errors());
        }
    }

    private boolean compare(PostgresServer source, PostgresServer target) throws Exception {
        out.println("Waiting for the target to catch up, then comparing every table...");
        List<String> qualified = TABLES.stream().map(t -> "public." + t).toList();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Map<String, TableDigest.Digest> src;
        Map<String, TableDigest.Digest> dst;
        do {
            try (Connection s = source.connect("repdb"); Connection t = target.connect("repdb")) {
                src = TableDigest.ofAll(s, qualified);
                dst = TableDigest.ofAll(t, qualified);
            }
            if (src.equals(dst)) {
                break;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        out.printf("  %-22s %12s %12s  %s%n", "table", "source rows", "target rows", "content hash");
        boolean all = true;
        for (String table : qualified) {
            TableDigest.Digest a = src.get(table);
            TableDigest.Digest b = dst.get(table);
            boolean same = a.equals(b);
            all &= same;
            out.printf("  %-22s %,12d %,12d  %s%n", table.substring("public.".length()), a.rows(), b.rows(),
                    same ? "identical (" + a.md5().substring(0, 12) + ")" : "DIFFERENT");
        }
        return all;
    }

    private static long replicatedRows(Connection repo) throws SQLException {
        try (Statement st = repo.createStatement(); var rs = st.executeQuery(
                "SELECT coalesce(sum(inserts), 0) FROM ibex.syncrun WHERE sync = 'demo' AND outcome = 'good'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double lagSeconds(Connection target) throws SQLException {
        try (Statement st = target.createStatement(); var rs = st.executeQuery(
                "SELECT extract(epoch FROM clock_timestamp() - beat) FROM ibex_demo_heartbeat WHERE id = 1")) {
            return rs.next() ? rs.getDouble(1) : Double.NaN;
        }
    }

    /** Runs one ibex command through the command line, printed as the user would type it. */
    private void ibex(String... words) {
        List<String> argv = new ArrayList<>(globals);
        argv.addAll(List.of(words));
        out.println("  $ ibex " + String.join(" ", words));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int code = commandLine.run(argv.toArray(String[]::new), capture, capture, env);
        for (String line : buf.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                out.println("    " + line.replace("\r", ""));
            }
        }
        if (code != 0 && !words[0].equals("stop")) {
            throw new IbexException("'ibex " + String.join(" ", words) + "' failed");
        }
    }

    interface Step<T> {
        T run() throws Exception;
    }

    private <T> T step(String what, Step<T> body) throws Exception {
        out.print(what + "... ");
        out.flush();
        long t = System.nanoTime();
        T result = body.run();
        out.printf("done (%.1f s)%n", (System.nanoTime() - t) / 1e9);
        return result;
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
