package io.ibex.bench;

import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.workload.Pgbench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * The reference measured in the same run: PostgreSQL's own logical replication of the three pgbench tables
 * the load writes (a publication on the source, a subscription on the target) between the benchmark's two servers,
 * in a database of its own ({@link #DB}, a copy of the no-capture database). It needs {@code wal_level = logical} on
 * the source (the benchmark's servers have it unless told otherwise) and PostgreSQL 10 or later; ibex needs neither.
 */
final class NativeReplication implements AutoCloseable {

    static final String DB = "ibex_bench_native";
    /** The publication's, subscription's and slot's name; also the application_name of its walsender on the source. */
    static final String NAME = "native_bench";
    static final List<String> TABLES = List.of("pgbench_accounts", "pgbench_tellers", "pgbench_branches");

    private final BenchServer source;
    private final BenchServer target;

    private NativeReplication(BenchServer source, BenchServer target) {
        this.source = source;
        this.target = target;
    }

    /** Why native logical replication cannot run between these servers, or null if it can. */
    static String unavailable(BenchServer source) throws SQLException {
        int version = Integer.parseInt(source.query("postgres", "SHOW server_version_num"));
        if (version < 110_000) {
            return "the source is older than PostgreSQL 11 (no publications before 10, no pg_replication_slot_advance before 11)";
        }
        String walLevel = source.query("postgres", "SHOW wal_level");
        return "logical".equals(walLevel) ? null : "the source runs with wal_level = " + walLevel + ", not logical";
    }

    /**
     * Copies the template database (pgbench data, no capture) to {@link #DB} on the source, creates the same tables
     * empty on the target, publishes and subscribes, and waits until the subscription's initial copy is done.
     */
    static NativeReplication start(BenchServer source, BenchServer target, String template, Duration timeout) throws Exception {
        NativeReplication n = new NativeReplication(source, target);
        try {
            source.recreateDatabase(DB, template);
            target.recreateDatabase(DB);
            try (Connection t = target.connect(DB)) {
                Pgbench.createSchemaOnly(t);
            }
            try (Connection s = source.connect(DB); Statement st = s.createStatement()) {
                st.execute("CREATE PUBLICATION " + Sql.ident(NAME) + " FOR TABLE " + String.join(", ", TABLES.stream().map(Sql::ident).toList()));
            }
            try (Connection t = target.connect(DB); Statement st = t.createStatement()) {
                st.execute("CREATE SUBSCRIPTION " + Sql.ident(NAME) + " CONNECTION " + Sql.literal(conninfo(source)) + " PUBLICATION " + Sql.ident(NAME));
            }
            n.awaitInitialCopy(timeout);
            n.pause();
            return n;
        } catch (Exception e) {
            n.close();
            throw e;
        }
    }

    /** libpq connection string to the source's database, each value quoted as libpq reads it. */
    static String conninfo(BenchServer source) {
        StringBuilder sb = new StringBuilder();
        sb.append("host=").append(value(source.host())).append(" port=").append(source.port())
                .append(" dbname=").append(value(DB)).append(" user=").append(value(source.user()));
        if (source.password() != null) {
            sb.append(" password=").append(value(source.password()));
        }
        return sb.toString();
    }

    private static String value(String v) {
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private void awaitInitialCopy(Duration timeout) throws Exception {
        try (Connection t = target.connect(DB)) {
            awaitTrue(t, "SELECT count(*) = " + TABLES.size() + " AND bool_and(srsubstate = 'r') FROM pg_subscription_rel", timeout,
                    "the subscription's initial copy did not finish");
        }
    }

    /**
     * Stops the subscription (its walsender on the source exits), so that the WAL of the other runs, which all
     * share the source, is not decoded while they are measured.
     */
    void pause() throws Exception {
        try (Connection t = target.connect(DB); Statement st = t.createStatement()) {
            st.execute("ALTER SUBSCRIPTION " + Sql.ident(NAME) + " DISABLE");
        }
        awaitSlotActive(false);
    }

    /**
     * Moves the slot to the source's current WAL position and starts the subscription again, before a run of its
     * own: nothing this subscription publishes changed since it caught up and paused (only the other databases
     * were written, and this one vacuumed), so the WAL skipped holds nothing for it, and its walsender does not
     * decode the other runs' WAL during its own run.
     */
    void resume() throws Exception {
        try (Connection s = source.connect(DB); Statement st = s.createStatement()) {
            st.execute("SELECT pg_replication_slot_advance(" + Sql.literal(NAME) + ", pg_current_wal_lsn())");
        }
        try (Connection t = target.connect(DB); Statement st = t.createStatement()) {
            st.execute("ALTER SUBSCRIPTION " + Sql.ident(NAME) + " ENABLE");
        }
        awaitSlotActive(true);
    }

    private void awaitSlotActive(boolean active) throws Exception {
        try (Connection s = source.connect("postgres")) {
            awaitTrue(s, "SELECT coalesce(bool_and(active = " + active + "), false) FROM pg_replication_slots WHERE slot_name = "
                    + Sql.literal(NAME), Duration.ofMinutes(1), "the slot " + NAME + " did not become " + (active ? "active" : "inactive"));
        }
    }

    /** Waits until the subscription has confirmed everything the source had written when called; returns the seconds. */
    double awaitCaughtUp(Duration timeout) throws Exception {
        long t0 = System.nanoTime();
        try (Connection s = source.connect(DB)) {
            String lsn = Sql.literal(Pg.queryString(s, "SELECT pg_current_wal_lsn()"));
            awaitTrue(s, "SELECT coalesce(bool_and(confirmed_flush_lsn >= " + lsn + "::pg_lsn), false) FROM pg_replication_slots WHERE slot_name = "
                    + Sql.literal(NAME), timeout, "native logical replication did not catch up");
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Runs a query of one boolean every 20 ms until it is true; fails with what, after the timeout. */
    private static void awaitTrue(Connection c, String query, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Pg.exists(c, "SELECT 1 WHERE (" + query + ")")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    /** The subscription (with its slot on the source), the publication and both databases dropped. */
    @Override
    public void close() {
        try (Connection t = target.connect(DB); Statement st = t.createStatement()) {
            st.execute("DROP SUBSCRIPTION IF EXISTS " + Sql.ident(NAME));
        } catch (SQLException ignored) {
            // the database was never made: nothing subscribed
        }
        try {
            target.dropDatabase(DB);
            source.dropDatabase(DB);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop " + DB + " after the native replication runs: " + e.getMessage(), e);
        }
    }
}
