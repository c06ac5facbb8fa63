package io.ibex.faults;

import io.ibex.cli.Main;
import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.engine.Daemon;
import io.ibex.engine.DaemonProcess;
import io.ibex.verify.TableDigest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.fail;

/** What the fault tests share: databases on servers, content comparison with a row diff, daemons in and out of process. */
final class Faults {

    private Faults() {
    }

    /** One database on one server, with a label for messages. */
    record Db(String label, PostgresServer server, String name) {
        Connection connect() throws SQLException {
            return server.connect(name);
        }

        void exec(String... sql) throws SQLException {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                for (String q : sql) {
                    s.execute(q);
                }
            }
        }

        long queryLong(String sql) throws SQLException {
            try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }

        Map<String, String> params() {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("dbname", name);
            p.put("dbhost", "localhost");
            p.put("dbport", String.valueOf(server.port()));
            p.put("dbuser", "postgres");
            return p;
        }

        ConnectionSpec spec() {
            return new ConnectionSpec("localhost", server.port(), name, "postgres", null);
        }

        Map<String, TableDigest.Digest> digests(List<String> tables) throws SQLException {
            try (Connection c = connect()) {
                return TableDigest.ofAll(c, tables);
            }
        }

        @Override
        public String toString() {
            return label + " (" + name + " on port " + server.port() + ")";
        }
    }

    static Db createDb(String label, PostgresServer server, String name) throws SQLException {
        server.createDatabase(name);
        return new Db(label, server, name);
    }

    /** Digests of every table on every database, or null for a database that cannot be read right now. */
    static Map<String, Map<String, TableDigest.Digest>> digestAll(List<String> tables, List<Db> dbs) {
        Map<String, Map<String, TableDigest.Digest>> all = new LinkedHashMap<>();
        for (Db d : dbs) {
            try {
                all.put(d.label(), d.digests(tables));
            } catch (SQLException | RuntimeException e) {
                all.put(d.label(), null);
            }
        }
        return all;
    }

    static boolean allEqual(Map<String, Map<String, TableDigest.Digest>> all) {
        return !all.containsValue(null) && all.values().stream().distinct().count() == 1;
    }

    /**
     * Waits until every table has the same row count and content hash on every database; on timeout fails with
     * the digests and the first differing rows of each table that differs.
     */
    static Duration awaitAllEqual(Duration timeout, List<String> tables, List<Db> dbs) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Map<String, Map<String, TableDigest.Digest>> all;
        while (true) {
            all = digestAll(tables, dbs);
            if (allEqual(all)) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(250);
        }
        StringBuilder msg = new StringBuilder("databases did not converge within " + timeout.toSeconds() + " s\n");
        all.forEach((db, d) -> msg.append("  ").append(db).append(": ").append(d).append('\n'));
        for (String t : tables) {
            for (int i = 1; i < dbs.size(); i++) {
                try {
                    msg.append(rowDiff(t, dbs.get(0), dbs.get(i), 15));
                } catch (SQLException e) {
                    msg.append("  (cannot diff ").append(t).append(": ").append(e.getMessage()).append(")\n");
                }
            }
        }
        System.out.println(msg);
        return fail(msg.toString());
    }

    /** The rows of a table that differ between two databases, by primary key (at most {@code limit} of them). */
    static String rowDiff(String table, Db a, Db b, int limit) throws SQLException {
        Map<String, String> ra = rowsByKey(a, table);
        Map<String, String> rb = rowsByKey(b, table);
        TreeSet<String> keys = new TreeSet<>(ra.keySet());
        keys.addAll(rb.keySet());
        StringBuilder out = new StringBuilder();
        int n = 0;
        int total = 0;
        for (String k : keys) {
            if (!Objects.equals(ra.get(k), rb.get(k))) {
                total++;
                if (n++ < limit) {
                    out.append("    ").append(table).append(" key ").append(k).append(": ").append(a.label()).append('=')
                            .append(ra.get(k)).append("  ").append(b.label()).append('=').append(rb.get(k)).append('\n');
                }
            }
        }
        if (total == 0) {
            return "";
        }
        return "  " + table + ": " + total + " row(s) differ between " + a.label() + " (" + ra.size() + " rows) and " + b.label()
                + " (" + rb.size() + " rows)\n" + out;
    }

    private static Map<String, String> rowsByKey(Db d, String table) throws SQLException {
        Map<String, String> rows = new TreeMap<>();
        try (Connection c = d.connect()) {
            String[] parts = table.contains(".") ? table.split("\\.", 2) : new String[] {"public", table};
            List<String> pk = TableDigest.primaryKey(c, parts[0], parts[1]);
            String key = pk.isEmpty() ? "t::text" : "ROW(" + String.join(", ", pk.stream().map(k -> "t.\"" + k + "\"").toList()) + ")::text";
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + key + ", t::text FROM " + table + " t")) {
                while (rs.next()) {
                    rows.merge(rs.getString(1), rs.getString(2), (x, y) -> x + " AND DUPLICATE " + y);
                }
            }
        }
        return rows;
    }

    static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** A condition that is false, not an exception, while a database is away. */
    interface SqlCondition {
        boolean test() throws Exception;
    }

    static BooleanSupplier quietly(SqlCondition c) {
        return () -> {
            try {
                return c.test();
            } catch (Exception e) {
                return false;
            }
        };
    }

    /**
     * What to look at when a test fails: the last runs in the repository, ibex's sessions on each server, and the
     * stacks of this JVM's daemon threads (an in-process daemon).
     */
    static String diagnostics(Db repository, List<Db> dbs) {
        StringBuilder b = new StringBuilder("---- diagnostics\n");
        try (Connection c = repository.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT id, sync, target, started, ended, state, outcome, error FROM ibex.syncrun ORDER BY id DESC LIMIT 15")) {
            while (rs.next()) {
                b.append("  run ").append(rs.getLong(1)).append(' ').append(rs.getString(2)).append(" lane=").append(rs.getString(3))
                        .append(" started=").append(rs.getString(4)).append(" ended=").append(rs.getString(5)).append(" state=")
                        .append(rs.getString(6)).append(" outcome=").append(rs.getString(7)).append(" error=").append(rs.getString(8))
                        .append('\n');
            }
        } catch (SQLException | RuntimeException e) {
            b.append("  (no runs: ").append(e.getMessage()).append(")\n");
        }
        java.util.Set<PostgresServer> servers = new java.util.LinkedHashSet<>();
        servers.add(repository.server());
        dbs.forEach(d -> servers.add(d.server()));
        for (PostgresServer server : servers) {
            try (Connection c = server.connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT pid, datname, application_name, state, wait_event_type, wait_event, now() - xact_start, left(query, 120)"
                            + " FROM pg_stat_activity WHERE application_name LIKE 'ibex%'")) {
                while (rs.next()) {
                    b.append("  session on ").append(server.port()).append(": ");
                    for (int i = 1; i <= 8; i++) {
                        b.append(rs.getString(i)).append(i < 8 ? " | " : "\n");
                    }
                }
            } catch (SQLException | RuntimeException e) {
                b.append("  (no sessions on ").append(server.port()).append(": ").append(e.getMessage()).append(")\n");
            }
        }
        Thread.getAllStackTraces().forEach((t, stack) -> {
            String n = t.getName();
            if (n.startsWith("sync-") || n.startsWith("listen-") || n.startsWith("faults-daemon") || n.startsWith("ibex")) {
                b.append("  thread ").append(n).append(' ').append(t.getState()).append('\n');
                for (StackTraceElement e : stack) {
                    b.append("      at ").append(e).append('\n');
                }
            }
        });
        return b.toString();
    }

    /** {@link #awaitAllEqual}, with {@link #diagnostics} printed and attached when it fails. */
    static Duration awaitAllEqual(Duration timeout, List<String> tables, List<Db> dbs, Db repository) throws Exception {
        try {
            return awaitAllEqual(timeout, tables, dbs);
        } catch (AssertionError e) {
            String d = diagnostics(repository, dbs);
            System.out.println(d);
            throw new AssertionError(e.getMessage() + "\n" + d, e);
        }
    }

    /** Errors recorded by runs of a sync (newest last). */
    static List<String> runErrors(Db repository, String sync) throws SQLException {
        List<String> errors = new ArrayList<>();
        try (Connection c = repository.connect();
             var ps = c.prepareStatement("SELECT error FROM ibex.syncrun WHERE sync = ? AND error IS NOT NULL ORDER BY id")) {
            ps.setString(1, sync);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    errors.add(rs.getString(1));
                }
            }
        }
        return errors;
    }

    /** The daemon in a thread of this JVM, for faults that are not the daemon's own death. */
    static final class InProcessDaemon implements AutoCloseable {
        private final Daemon daemon;
        private final Thread thread;
        private volatile Throwable died;
        final Path pidFile;

        InProcessDaemon(ConnectionSpec repository) throws Exception {
            pidFile = Files.createTempDirectory("ibex-faults").resolve("ibex.pid");
            daemon = new Daemon(repository, pidFile);
            thread = new Thread(() -> {
                try {
                    daemon.run();
                } catch (Throwable t) {
                    died = t;
                }
            }, "faults-daemon");
            thread.start();
        }

        /** Still running, and has not failed. */
        boolean alive() {
            return thread.isAlive() && died == null;
        }

        Throwable died() {
            return died;
        }

        @Override
        public void close() throws InterruptedException {
            daemon.requestStop();
            thread.join(90_000);
            if (thread.isAlive()) {
                fail("the daemon did not stop within 90 s");
            }
        }
    }

    /** The daemon as its own process ({@code ibex daemon}), so that it can be killed with SIGKILL. */
    static final class DaemonProc {
        final Path dir;
        final DaemonProcess process;
        private final Db repository;
        private long pid = -1;

        DaemonProc(Db repository, Path dir) {
            this.repository = repository;
            this.dir = dir;
            this.process = new DaemonProcess(dir, dir, Main.daemonCommand());
        }

        List<String> args() {
            return List.of("--dbhost", "localhost", "--dbport", String.valueOf(repository.server().port()), "--dbname",
                    repository.name(), "--dbuser", "postgres", "--piddir", dir.toString(), "--logdir", dir.toString(), "--no-ibexrc");
        }

        long start() {
            pid = withPrivateClasspath(() -> process.start(args(), Map.of(), Duration.ofSeconds(30)));
            return pid;
        }

        boolean alive() {
            return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        /** SIGKILL, and wait until the process is gone. */
        void kill() throws InterruptedException {
            if (pid <= 0) {
                return;
            }
            ProcessHandle h = ProcessHandle.of(pid).orElse(null);
            if (h != null) {
                h.destroyForcibly();
                h.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
            }
            pid = -1;
        }

        /** SIGTERM and wait (the daemon finishes or rolls back its batch). */
        void stop() {
            if (alive()) {
                process.stop(Duration.ofSeconds(60));
            }
            pid = -1;
        }

        String log() {
            try {
                return Files.readString(process.logFile());
            } catch (Exception e) {
                return "";
            }
        }
    }

    private static String privateClasspath;

    /**
     * Runs {@code work} (which launches a JVM with {@code java -cp <java.class.path>}) with the class path pointing
     * at a private copy of target/classes: builds running at the same time in this working tree rewrite
     * target/classes, and a daemon started at that moment would not find its main class.
     */
    static synchronized <T> T withPrivateClasspath(java.util.concurrent.Callable<T> work) {
        String original = System.getProperty("java.class.path");
        try {
            if (privateClasspath == null) {
                privateClasspath = copyClasses(original);
            }
            System.setProperty("java.class.path", privateClasspath);
            return work.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            System.setProperty("java.class.path", original);
        }
    }

    private static String copyClasses(String classpath) throws Exception {
        List<String> out = new ArrayList<>();
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.isEmpty() || (Files.isDirectory(p) && p.getFileName().toString().equals("test-classes"))) {
                continue;
            }
            if (Files.isDirectory(p) && p.getFileName().toString().equals("classes")) {
                Path copy = Files.createTempDirectory("ibex-classes");
                for (int attempt = 0; ; attempt++) {
                    try (var files = Files.walk(p)) {
                        for (Path f : files.toList()) {
                            Path to = copy.resolve(p.relativize(f).toString());
                            if (Files.isDirectory(f)) {
                                Files.createDirectories(to);
                            } else {
                                Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                            }
                        }
                    } catch (java.io.IOException e) {
                        // a build is rewriting the directory: try again
                    }
                    if (Files.exists(copy.resolve("io/ibex/cli/Main.class")) && Files.exists(copy.resolve("io/ibex/engine/Daemon.class"))
                            || attempt > 20) {
                        break;
                    }
                    Thread.sleep(500);
                }
                out.add(copy.toString());
            } else {
                out.add(entry);
            }
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    /** Backends of ibex's own sessions on a server right now (pid, database, application_name, state, query). */
    static List<String[]> ibexBackends(Connection c) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT pid, datname, application_name, coalesce(state, ''), coalesce(query, '') FROM pg_stat_activity"
                        + " WHERE pid <> pg_backend_pid() AND (application_name IN ('ibex-daemon', 'ibex-reader', 'ibex-listener')"
                        + " OR application_name LIKE 'ibex:%')")) {
            while (rs.next()) {
                out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)});
            }
        }
        return out;
    }
}
