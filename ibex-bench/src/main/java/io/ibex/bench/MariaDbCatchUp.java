package io.ibex.bench;

import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.engine.Daemon;
import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 24's MariaDB figure, measured in one run on the same machine: ibex's catch-up after a 1M-row UPDATE on the
 * source into a MariaDB target, MariaDB's own bulk load of the same rows (LOAD DATA LOCAL INFILE from a stream), the
 * same load as REPLACE into a table that holds the rows (what a catch-up does), and Bucardo's catch-up method on a
 * sample of the rows: its inserts alone and the whole method (deletes in chunks, then one prepared INSERT per row) in
 * Java, and the whole method with Bucardo's own Perl client (ibex-bench/scripts/bucardo-mysql.pl) where perl has
 * DBI, DBD::Pg and DBD::mysql. Needs the MariaDB service at 127.0.0.1:3306 (root, no password); starts its own
 * PostgreSQL 17; run it from the repository's root. The daemon's log goes to $TMPDIR/ibex-bench-mariadb.log.
 * {@code java -Xmx512m -XX:+UseSerialGC -cp ibex-bench/target/ibex-bench.jar io.ibex.bench.MariaDbCatchUp [ROWS [ROW_BY_ROW_SAMPLE]]}
 */
public final class MariaDbCatchUp {

    static final String MARIA = "jdbc:mariadb://127.0.0.1:3306/";
    static final String ACCOUNTS_PG = "CREATE TABLE accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))";
    static final String ACCOUNTS_MARIA = "CREATE TABLE %s (aid INT PRIMARY KEY, bid INT, abalance INT, filler CHAR(84))";

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int sample = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        String mdb = "ibex_bench_" + ProcessHandle.current().pid();
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "ibex-bench-mariadb.log");
        Files.deleteIfExists(log);
        BenchLogging.logTo(log); // the daemon's log, with millisecond timestamps: where the catch-up's time went
        try (PostgresServer pg = PostgresServer.start("17");
             Connection root = DriverManager.getConnection(MARIA + "?allowLocalInfile=true", "root", null)) {
            exec(root, "CREATE DATABASE " + mdb, "USE " + mdb, String.format(ACCOUNTS_MARIA, "accounts"), String.format(ACCOUNTS_MARIA, "bulk"),
                    String.format(ACCOUNTS_MARIA, "rowbyrow"));
            try {
                pg.createDatabase("src");
                pg.createDatabase("repo");
                pg.execute("src", ACCOUNTS_PG + "; INSERT INTO accounts SELECT g, (g - 1) / 100000 + 1, 0, '' FROM generate_series(1, " + rows + ") g");
                System.out.printf("MariaDB %s, PostgreSQL %s, %,d rows shaped like pgbench_accounts%n", version(root), pg.version(), rows);
                run(pg, root, mdb, rows, sample);
            } finally {
                exec(root, "DROP DATABASE " + mdb);
            }
        }
    }

    private static void run(PostgresServer pg, Connection maria, String mdb, int rows, int sample) throws Exception {
        ConnectionSpec repo = new ConnectionSpec(pg.host(), pg.port(), "repo", pg.superuser(), null);
        Ibex ibex = new Ibex(repo);
        ibex.install();
        ibex.addDatabase("src", Map.of("dbname", "src", "dbhost", pg.host(), "dbport", String.valueOf(pg.port()), "dbuser", pg.superuser()), false);
        ibex.addDatabase("maria", Map.of("type", "mariadb", "dbname", mdb, "dbhost", "127.0.0.1", "dbport", "3306", "dbuser", "root"), false);
        ibex.addTables(List.of("accounts"), Map.of("db", "src", "relgroup", "rg"), false);
        ibex.addSync("bench", Map.of("relgroup", "rg", "db", "src,maria", "onetimecopy", "1", "checktime", "1"));
        Path pid = Files.createTempFile("ibex-bench-maria", ".pid");
        Daemon daemon = new Daemon(repo, pid);
        Thread thread = new Thread(daemon::run, "ibex-daemon");
        long t0 = System.nanoTime();
        thread.start();
        try {
            awaitSum(maria, mdb, 0, rows, Duration.ofMinutes(10));
            double copy = seconds(t0);
            System.out.printf(Locale.ROOT, "initial copy (onetimecopy=1, with the daemon's start): %.1f s, %,.0f rows/s%n", copy, rows / copy);

            long u = System.nanoTime();
            pg.execute("src", "UPDATE accounts SET abalance = abalance + 1");
            double update = seconds(u);
            long c = System.nanoTime();
            awaitSum(maria, mdb, 1, rows, Duration.ofMinutes(10));
            double catchUp = seconds(c);
            double ibexRate = rows / catchUp;
            System.out.printf(Locale.ROOT, "source UPDATE of %,d rows: %.1f s; ibex's catch-up into MariaDB after its commit: %.1f s, %,.0f rows/s%n",
                    rows, update, catchUp, ibexRate);

            byte[] text = rowsAsText(pg, "COPY accounts TO STDOUT");
            long b = System.nanoTime();
            maria.setAutoCommit(false);
            try (Statement s = maria.createStatement()) {
                s.unwrap(org.mariadb.jdbc.Statement.class).setLocalInfileInputStream(new ByteArrayInputStream(text));
                s.execute("LOAD DATA LOCAL INFILE 'stream' INTO TABLE bulk");
            }
            maria.commit();
            double bulk = seconds(b);
            double bulkRate = rows / bulk;
            System.out.printf(Locale.ROOT, "MariaDB's own bulk load (LOAD DATA LOCAL INFILE from a stream) of the same rows: %.1f s, %,.0f rows/s%n",
                    bulk, bulkRate);

            // like for like: the same bulk load as REPLACE into a table that holds the rows, each row's balance changed
            byte[] changed = rowsAsText(pg, "COPY (SELECT aid, bid, abalance + 1, filler FROM accounts) TO STDOUT");
            long p = System.nanoTime();
            try (Statement s = maria.createStatement()) {
                s.unwrap(org.mariadb.jdbc.Statement.class).setLocalInfileInputStream(new ByteArrayInputStream(changed));
                s.execute("LOAD DATA LOCAL INFILE 'stream' REPLACE INTO TABLE bulk");
            }
            maria.commit();
            double replace = seconds(p);
            double replaceRate = rows / replace;
            System.out.printf(Locale.ROOT, "MariaDB's own bulk REPLACE (LOAD DATA LOCAL INFILE ... REPLACE) of the same rows, changed, into the table holding them: "
                    + "%.1f s, %,.0f rows/s%n", replace, replaceRate);

            double insertOnly = rowByRowInserts(maria, sample);
            double insertOnlyRate = sample / insertOnly;
            System.out.printf(Locale.ROOT, "Bucardo's inserts alone (one prepared INSERT per row into an empty table), %,d rows: %.1f s, %,.0f rows/s%n",
                    sample, insertOnly, insertOnlyRate);
            double rowByRow = bucardoCatchUp(maria, text, sample);
            double rowRate = sample / rowByRow;
            System.out.printf(Locale.ROOT, "Bucardo's catch-up method in Java (its session settings; changed keys deleted %,d a statement, then one "
                    + "prepared INSERT per row; one transaction), %,d of the %,d rows: %.1f s, %,.0f rows/s%n", BUCARDO_CHUNK, sample, rows, rowByRow, rowRate);
            Double perl = bucardoPerl(pg, mdb, sample);
            double perlRate = perl == null ? Double.NaN : sample / perl;
            if (perl != null) {
                System.out.printf(Locale.ROOT, "Bucardo's catch-up method with Bucardo's client (Perl DBI, DBD::Pg, DBD::mysql; "
                        + "ibex-bench/scripts/bucardo-mysql.pl), %,d rows: %.1f s, %,.0f rows/s%n", sample, perl, perlRate);
            }
            System.out.printf(Locale.ROOT, "ratios: ibex / bulk load = %.2fx, ibex / bulk REPLACE = %.2fx, ibex / Bucardo's catch-up in Java = %.1fx, "
                    + "ibex / Bucardo's inserts alone in Java = %.1fx%s%n", ibexRate / bulkRate, ibexRate / replaceRate, ibexRate / rowRate,
                    ibexRate / insertOnlyRate, perl == null ? "" : String.format(Locale.ROOT, ", ibex / Bucardo's catch-up with its Perl client = %.1fx",
                            ibexRate / perlRate));
        } finally {
            daemon.requestStop();
            thread.join(60_000);
        }
    }

    /** Bucardo's statement_chunk_size (its default): keys per DELETE. */
    static final int BUCARDO_CHUNK = 6000;

    /** One prepared INSERT per row into the empty rowbyrow, one transaction: the inserting half of Bucardo's method. */
    private static double rowByRowInserts(Connection maria, int sample) throws Exception {
        long r = System.nanoTime();
        insertRowByRow(maria, "rowbyrow", sample, 1);
        maria.commit();
        return seconds(r);
    }

    /** Rows 1..n of accounts' shape, one prepared INSERT each, as Bucardo's push_rows sends them. */
    private static void insertRowByRow(Connection maria, String table, int n, int balance) throws Exception {
        try (PreparedStatement ps = maria.prepareStatement("INSERT INTO " + table + " (aid, bid, abalance, filler) VALUES (?, ?, ?, ?)")) {
            for (int i = 1; i <= n; i++) {
                ps.setInt(1, i);
                ps.setInt(2, (i - 1) / 100000 + 1);
                ps.setInt(3, balance);
                ps.setString(4, "");
                ps.executeUpdate();
            }
        }
    }

    /**
     * Bucardo's catch-up of sample changed keys into MariaDB (Bucardo.pm start_main_transaction, disable_triggers,
     * delete_rows, push_rows), timed: on a table that holds every row (loaded untimed first), its session settings
     * (ANSI, UTC, SERIALIZABLE, foreign_key_checks and unique_checks off), the changed keys deleted
     * {@link #BUCARDO_CHUNK} a statement ({@code WHERE aid IN (...)}), then one prepared INSERT per row, one transaction.
     */
    private static double bucardoCatchUp(Connection maria, byte[] rowsText, int sample) throws Exception {
        exec(maria, "CREATE TABLE bucardo LIKE bulk");
        try (Statement s = maria.createStatement()) {
            s.unwrap(org.mariadb.jdbc.Statement.class).setLocalInfileInputStream(new ByteArrayInputStream(rowsText));
            s.execute("LOAD DATA LOCAL INFILE 'stream' INTO TABLE bucardo");
        }
        maria.commit();
        long r = System.nanoTime();
        exec(maria, "SET SESSION sql_mode = 'ANSI'", "SET SESSION time_zone = '+0:00'", "SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE",
                "SET SESSION foreign_key_checks = 0", "SET SESSION unique_checks = 0");
        try (Statement s = maria.createStatement()) {
            for (int from = 1; from <= sample; from += BUCARDO_CHUNK) {
                StringBuilder in = new StringBuilder("DELETE FROM bucardo WHERE aid IN (");
                for (int k = from; k < Math.min(from + BUCARDO_CHUNK, sample + 1); k++) {
                    in.append(k == from ? "" : ",").append(k);
                }
                s.executeUpdate(in.append(')').toString());
            }
        }
        insertRowByRow(maria, "bucardo", sample, 2);
        maria.commit();
        return seconds(r);
    }

    static final Path BUCARDO_SCRIPT = Path.of("ibex-bench", "scripts", "bucardo-mysql.pl");

    /**
     * Bucardo's catch-up of keys 1..sample into the bucardo table with Bucardo's own client stack, timed by the
     * script; null (and a line saying why) when perl, DBI, DBD::Pg or DBD::mysql is missing or the script is not found
     * (the benchmark runs from the repository's root).
     */
    private static Double bucardoPerl(PostgresServer pg, String mdb, int sample) throws Exception {
        if (!Files.isRegularFile(BUCARDO_SCRIPT) || run(List.of("perl", "-MDBI", "-MDBD::Pg", "-MDBD::mysql", "-e", "1")) == null) {
            System.out.println("Bucardo's own client not measured: needs perl with DBI, DBD::Pg and DBD::mysql (Debian: apt-get install "
                    + "libdbd-pg-perl libdbd-mysql-perl) and " + BUCARDO_SCRIPT + " (run from the repository's root)");
            return null;
        }
        String out = run(List.of("perl", BUCARDO_SCRIPT.toString(), String.valueOf(pg.port()), "src", pg.superuser(), mdb, "accounts", "bucardo",
                String.valueOf(sample)));
        if (out == null) {
            throw new IllegalStateException(BUCARDO_SCRIPT + " failed");
        }
        String[] f = out.strip().split("\\s+");
        if (Long.parseLong(f[1]) != sample) {
            throw new IllegalStateException(BUCARDO_SCRIPT + " moved " + f[1] + " rows, not " + sample);
        }
        return Double.parseDouble(f[0]);
    }

    /** Runs a command; its standard output, or null if it failed (its error output goes to ours). */
    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        return p.waitFor() == 0 ? out : null;
    }

    /** The source's rows as tab-separated text, as LOAD DATA reads it (these types print the same in both). */
    private static byte[] rowsAsText(PostgresServer pg, String copy) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        try (Connection c = pg.connect("src")) {
            c.unwrap(PGConnection.class).getCopyAPI().copyOut(copy, out);
        }
        return out.toByteArray();
    }

    /**
     * Waits until MariaDB's accounts has the rows, each with the balance expected. Each poll first looks for one row
     * without that balance (it stops at the first, in key order), and only when there is none counts and sums every
     * row: a full count and sum every 100 ms would keep a CPU of this small machine busy beside the catch-up it times.
     */
    private static void awaitSum(Connection maria, String mdb, long balance, int rows, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean behind;
            try (Statement s = maria.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1 FROM " + mdb + ".accounts WHERE abalance <> " + balance + " LIMIT 1")) {
                behind = rs.next();
            }
            if (!behind) {
                try (Statement s = maria.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*), COALESCE(sum(abalance), 0) FROM " + mdb + ".accounts")) {
                    rs.next();
                    if (rs.getLong(1) == rows && rs.getLong(2) == balance * rows) {
                        return;
                    }
                }
            }
            if (!maria.getAutoCommit()) {
                maria.commit();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("MariaDB did not catch up within " + timeout);
    }

    private static String version(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void exec(Connection c, String... sql) throws Exception {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
