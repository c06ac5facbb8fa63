package io.ibex.workload;

import io.ibex.db.Pg;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The pgbench schema and data ({@code pgbench -i}) in plain JDBC, with SQL that runs on PostgreSQL 9.3 and later.
 * Tables go into schema {@code public}; existing pgbench tables are dropped first, as {@code pgbench -i} does.
 * The TPC-B-like load is {@link Load}, one {@link PgbenchSession} per client.
 * <p>
 * Just over ~400 lines because {@link Load} stays nested: the tests, the benchmark and the demo name it
 * {@code Pgbench.Load}.
 */
public final class Pgbench {
    public static final String SCHEMA = "public";
    public static final String BRANCHES = "pgbench_branches";
    public static final String TELLERS = "pgbench_tellers";
    public static final String ACCOUNTS = "pgbench_accounts";
    public static final String HISTORY = "pgbench_history";

    private static final int COPY_CHUNK_ROWS = 10_000;

    private Pgbench() {
    }

    /** Like {@code pgbench -i -s scale}: scale branches, 10*scale tellers, 100000*scale accounts. */
    public static void initialize(Connection c, int scale) throws SQLException {
        initialize(c, scale, 10 * scale, 100_000 * scale);
    }

    /** Small or odd-shaped data for tests; tellers and accounts are spread evenly over the branches. */
    public static void initialize(Connection c, int branches, int tellers, int accounts) throws SQLException {
        if (branches < 1 || tellers < 1 || accounts < 1) {
            throw new IllegalArgumentException("need at least one branch, teller and account");
        }
        Pg.inTransaction(c, () -> {
            createTables(c);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + table(BRANCHES) + " (\"bid\", \"bbalance\") VALUES (?, 0)")) {
                for (int bid = 1; bid <= branches; bid++) {
                    ps.setInt(1, bid);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + table(TELLERS) + " (\"tid\", \"bid\", \"tbalance\") VALUES (?, ?, 0)")) {
                for (int tid = 1; tid <= tellers; tid++) {
                    ps.setInt(1, tid);
                    ps.setInt(2, branchOf(tid, tellers, branches));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            copyAccounts(c, branches, accounts);
            addPrimaryKeys(c);
        });
        execute(c, "ANALYZE " + table(BRANCHES) + "; ANALYZE " + table(TELLERS) + "; ANALYZE " + table(ACCOUNTS)
                + "; ANALYZE " + table(HISTORY));
    }

    /** The four tables with their primary keys and no rows, e.g. on a replication target. */
    public static void createSchemaOnly(Connection c) throws SQLException {
        Pg.inTransaction(c, () -> {
            createTables(c);
            addPrimaryKeys(c);
        });
    }

    /** The schema-qualified, quoted name of a pgbench table. */
    public static String table(String name) {
        return quoteIdent(SCHEMA) + "." + quoteIdent(name);
    }

    /** Which branch row {@code id} (1-based, of {@code count}) belongs to: contiguous blocks, like pgbench. */
    static int branchOf(long id, long count, int branches) {
        return (int) ((id - 1) * branches / count) + 1;
    }

    private static void createTables(Connection c) throws SQLException {
        for (String t : new String[] {HISTORY, TELLERS, ACCOUNTS, BRANCHES}) {
            execute(c, "DROP TABLE IF EXISTS " + table(t));
        }
        execute(c, "CREATE TABLE " + table(BRANCHES)
                + " (\"bid\" int NOT NULL, \"bbalance\" int, \"filler\" char(88))");
        execute(c, "CREATE TABLE " + table(TELLERS)
                + " (\"tid\" int NOT NULL, \"bid\" int, \"tbalance\" int, \"filler\" char(84))");
        execute(c, "CREATE TABLE " + table(ACCOUNTS)
                + " (\"aid\" int NOT NULL, \"bid\" int, \"abalance\" int, \"filler\" char(84))");
        execute(c, "CREATE TABLE " + table(HISTORY) + " (\"tid\" int, \"bid\" int, \"aid\" int, \"delta\" int,"
                + " \"mtime\" timestamp, \"filler\" char(22))");
    }

    private static void addPrimaryKeys(Connection c) throws SQLException {
        execute(c, "ALTER TABLE " + table(BRANCHES) + " ADD PRIMARY KEY (\"bid\")");
        execute(c, "ALTER TABLE " + table(TELLERS) + " ADD PRIMARY KEY (\"tid\")");
        execute(c, "ALTER TABLE " + table(ACCOUNTS) + " ADD PRIMARY KEY (\"aid\")");
    }

    private static void copyAccounts(Connection c, int branches, int accounts) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                "COPY " + table(ACCOUNTS) + " (\"aid\", \"bid\", \"abalance\", \"filler\") FROM STDIN");
        try {
            StringBuilder rows = new StringBuilder(COPY_CHUNK_ROWS * 24);
            for (int aid = 1; aid <= accounts; aid++) {
                rows.append(aid).append('\t').append(branchOf(aid, accounts, branches)).append("\t0\t\n");
                if (aid % COPY_CHUNK_ROWS == 0 || aid == accounts) {
                    byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
                    copy.writeToCopy(bytes, 0, bytes.length);
                    rows.setLength(0);
                }
            }
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /**
     * The TPC-B-like pgbench transaction run by N client threads, each on its own connection: for a duration, for a
     * number of transactions per client, or until {@link #stop()}; optionally throttled to a total rate.
     * Serialization failures and deadlocks are retried; other errors are counted (the first one kept), and a
     * broken connection is replaced by a new one from the supplier.
     */
    public static final class Load {
        private static final int MAX_RETRIES = 100;
        private static final long RECONNECT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

        private final Supplier<Connection> connections;
        private final int clients;
        private Duration duration;
        private long transactionsPerClient;
        private double rate;
        private long seed = System.nanoTime();
        private boolean history = true;

        private final AtomicLong committed = new AtomicLong();
        private final AtomicLong errors = new AtomicLong();
        private final AtomicLong retries = new AtomicLong();
        private final AtomicReference<Throwable> firstError = new AtomicReference<>();
        private final CountDownLatch stopSignal = new CountDownLatch(1);
        private final List<Thread> threads = new ArrayList<>();
        private volatile long startNanos;
        private volatile long endNanos;
        private int branches;
        private int tellers;
        private int accounts;

        public Load(Supplier<Connection> connections, int clients) {
            if (clients < 1) {
                throw new IllegalArgumentException("clients must be >= 1");
            }
            this.connections = connections;
            this.clients = clients;
        }

        /** Connections from {@link DriverManager}; {@code password} may be null. */
        public Load(String jdbcUrl, String user, String password, int clients) {
            this(() -> {
                try {
                    return DriverManager.getConnection(jdbcUrl, user, password);
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot connect to " + jdbcUrl + ": " + e.getMessage(), e);
                }
            }, clients);
        }

        /** Run for this long (default: until the transaction count is reached or {@link #stop()}). */
        public Load duration(Duration duration) {
            this.duration = duration;
            return this;
        }

        /** Each client runs this many transactions (attempts: committed or failed); 0 means no limit. */
        public Load transactionsPerClient(long count) {
            this.transactionsPerClient = count;
            return this;
        }

        /** Target rate in transactions per second over all clients; 0 (the default) means as fast as possible. */
        public Load rate(double transactionsPerSecond) {
            this.rate = transactionsPerSecond;
            return this;
        }

        public Load seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Leaves out the INSERT into pgbench_history: the transaction writes only the three tables with a key. */
        public Load withoutHistory() {
            this.history = false;
            return this;
        }

        /** Reads the table sizes and starts the client threads. */
        public synchronized Load start() throws SQLException {
            if (!threads.isEmpty()) {
                throw new IllegalStateException("already started");
            }
            try (Connection c = connections.get(); Statement s = c.createStatement()) {
                branches = maxId(s, "bid", BRANCHES);
                tellers = maxId(s, "tid", TELLERS);
                accounts = maxId(s, "aid", ACCOUNTS);
            }
            startNanos = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                int index = i;
                Thread t = new Thread(() -> runClient(index), "pgbench-client-" + i);
                t.setDaemon(true);
                threads.add(t);
            }
            threads.forEach(Thread::start);
            return this;
        }

        /** Asks the clients to finish their current transaction and waits for them. */
        public void stop() throws InterruptedException {
            stopSignal.countDown();
            awaitDone();
        }

        public void awaitDone() throws InterruptedException {
            for (Thread t : threadsSnapshot()) {
                t.join();
            }
        }

        /** @return true if all clients finished within the timeout */
        public boolean awaitDone(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Thread t : threadsSnapshot()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return !t.isAlive() && isDone();
                }
                TimeUnit.NANOSECONDS.timedJoin(t, left);
            }
            return isDone();
        }

        public boolean isDone() {
            return threadsSnapshot().stream().noneMatch(Thread::isAlive);
        }

        /** Committed transactions so far. */
        public long transactions() {
            return committed.get();
        }

        /** Transactions that failed with an error that is not retried. */
        public long errors() {
            return errors.get();
        }

        /** Serialization failures and deadlocks that were retried. */
        public long retries() {
            return retries.get();
        }

        public Optional<Throwable> firstError() {
            return Optional.ofNullable(firstError.get());
        }

        /** Time since start, up to when the last client finished. */
        public Duration elapsed() {
            long start = startNanos;
            if (start == 0) {
                return Duration.ZERO;
            }
            long end = isDone() && endNanos != 0 ? endNanos : System.nanoTime();
            return Duration.ofNanos(end - start);
        }

        private synchronized List<Thread> threadsSnapshot() {
            return List.copyOf(threads);
        }

        private static int maxId(Statement s, String column, String table) throws SQLException {
            try (ResultSet rs = s.executeQuery("SELECT max(" + quoteIdent(column) + ") FROM " + table(table))) {
                rs.next();
                int max = rs.getInt(1);
                if (max < 1) {
                    throw new IllegalStateException(table + " is empty: run Pgbench.initialize first");
                }
                return max;
            }
        }

        private void runClient(int index) {
            SplittableRandom random = new SplittableRandom(seed + index);
            long interval = rate > 0 ? (long) (1e9 * clients / rate) : 0;
            long deadline = duration == null ? Long.MAX_VALUE : startNanos + duration.toNanos();
            long next = startNanos + interval * index / clients; // staggered, so clients do not fire together
            PgbenchSession session = null;
            try {
                for (long done = 0; transactionsPerClient == 0 || done < transactionsPerClient; done++) {
                    if (interval > 0) {
                        if (pause(Math.min(next, deadline) - System.nanoTime())) {
                            break;
                        }
                        next += interval;
                    }
                    if (stopRequested() || System.nanoTime() - deadline >= 0) {
                        break;
                    }
                    session = runOne(session, random);
                }
            } finally {
                if (session != null) {
                    session.close();
                }
                endNanos = System.nanoTime();
            }
        }

        /** One transaction with retries; returns the session to use next (null after a broken connection). */
        private PgbenchSession runOne(PgbenchSession session, SplittableRandom random) {
            int aid = 1 + random.nextInt(accounts);
            int tid = 1 + random.nextInt(tellers);
            int bid = 1 + random.nextInt(branches);
            int delta = random.nextInt(-5000, 5001);
            for (int attempt = 0; ; attempt++) {
                try {
                    if (session == null) {
                        session = new PgbenchSession(connections.get(), history);
                    }
                    session.run(aid, tid, bid, delta);
                    committed.incrementAndGet();
                    return session;
                } catch (SQLException e) {
                    boolean broken = session == null || session.rollbackBroken(e);
                    if (!broken && isRetryable(e) && attempt < MAX_RETRIES && !stopRequested()) {
                        retries.incrementAndGet();
                        continue;
                    }
                    fail(e);
                    if (broken) {
                        if (session != null) {
                            session.close();
                        }
                        pause(RECONNECT_PAUSE_NANOS);
                        return null;
                    }
                    return session;
                } catch (RuntimeException e) { // the supplier could not connect
                    fail(e);
                    pause(RECONNECT_PAUSE_NANOS);
                    return null;
                }
            }
        }

        private void fail(Throwable e) {
            errors.incrementAndGet();
            firstError.compareAndSet(null, e);
        }

        private boolean stopRequested() {
            return stopSignal.getCount() == 0;
        }

        /** Waits unless stopped; returns true if stop was requested. */
        private boolean pause(long nanos) {
            try {
                return nanos > 0 ? stopSignal.await(nanos, TimeUnit.NANOSECONDS) : stopRequested();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopSignal.countDown();
                return true;
            }
        }

        private static boolean isRetryable(SQLException e) {
            return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
