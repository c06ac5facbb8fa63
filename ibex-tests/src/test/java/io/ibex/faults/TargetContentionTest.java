package io.ibex.faults;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.Db;
import io.ibex.testkit.Diagnostics;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.InProcessDaemon;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A target where other sessions get in the way of ibex's apply: a deadlock between ibex and a session locking
 * the same rows in the opposite order, and a serialization failure on a target whose transactions are
 * REPEATABLE READ by default. ibex's transaction is the one that fails; it is retried at once, by itself, and
 * the tables converge.
 */
@ExtendWith(ServersPerClass.class)
class TargetContentionTest {

    @Server("17") static PostgresServer server;
    static final AtomicInteger SEQ = new AtomicInteger();
    static final List<String> TABLES = List.of("public.a", "public.b");

    Db src;
    Db dst;
    Db repo;
    Ibex ibex;

    InProcessDaemon setup(String... targetSettings) throws Exception {
        int n = SEQ.incrementAndGet();
        src = Db.create("source", server, "lsrc" + n);
        dst = Db.create("target", server, "ldst" + n);
        repo = Db.create("repository", server, "lrepo" + n);
        for (Db d : List.of(src, dst)) {
            d.exec("CREATE TABLE a (id int PRIMARY KEY, v text)", "CREATE TABLE b (id int PRIMARY KEY, v text)",
                    "INSERT INTO a SELECT g, 'a' || g FROM generate_series(1, 100) g",
                    "INSERT INTO b SELECT g, 'b' || g FROM generate_series(1, 100) g");
        }
        for (String s : targetSettings) {
            dst.exec(s);
        }
        ibex = IbexSetup.install(repo, src, dst);
        ibex.addTables(List.of("a", "b"), Map.of("db", "src", "relgroup", "ab"), false);
        ibex.addSync("ab", Map.of("relgroup", "ab", "db", "src,dst"));
        InProcessDaemon daemon = new InProcessDaemon(repo.spec());
        src.exec("UPDATE a SET v = 'warm' WHERE id = 100");
        Convergence.awaitAllEqual(Duration.ofSeconds(30), TABLES, List.of(src, dst));
        return daemon;
    }

    /** The table and query of ibex's apply session on the target while it waits for a lock. */
    Optional<String> ibexWaitingOnLock(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT query FROM pg_stat_activity WHERE datname = '"
                + dst.name() + "' AND application_name = 'ibex:ab' AND wait_event_type = 'Lock'")) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    String awaitIbexWaiting(Connection c) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> q = ibexWaitingOnLock(c);
            if (q.isPresent()) {
                return q.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("ibex never waited for the row lock on the target");
    }

    @Test
    void aDeadlockWithASessionOnTheTargetIsRetriedAutomatically() throws Exception {
        InProcessDaemon daemon = setup();
        try (Connection other = dst.connect(); Connection watch = dst.connect()) {
            // ibex applies the tables of a batch one after the other, a then b: hold b's row first ...
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.execute("SET LOCAL deadlock_timeout = '30s'"); // ibex's session, not this one, detects the deadlock
                s.execute("SELECT * FROM b WHERE id = 1 FOR UPDATE");
            }
            src.exec("BEGIN; UPDATE a SET v = 'deadlock' WHERE id = 1; UPDATE b SET v = 'deadlock' WHERE id = 1; COMMIT");
            // ... ibex now holds a's row 1 and waits for b's; then ask for a's row: a deadlock
            String waitingOn = awaitIbexWaiting(watch);
            assertThat(waitingOn).as("ibex waits on b, holding a").contains("\"b\"");
            long deadlockAt = System.nanoTime();
            try (Statement s = other.createStatement()) {
                s.execute("SELECT * FROM a WHERE id = 1 FOR UPDATE");
            }
            other.rollback();
            Duration took = Convergence.awaitAllEqual(Duration.ofSeconds(30), TABLES, List.of(src, dst), repo);
            List<String> errors = Diagnostics.runErrors(repo, "ab");
            assertThat(errors).anyMatch(e -> e.contains("deadlock detected"));
            assertThat(dst.queryLong("SELECT count(*) FROM a WHERE v = 'deadlock'")).isEqualTo(1);
            Waits.await(Duration.ofSeconds(30), "sync Good", Waits.quietly(() -> ibex.status("ab").currentState().equals("Good")));
            System.out.printf("faults: deadlock on the target retried automatically (error: %s); converged %d ms after the deadlock%n",
                    errors.get(errors.size() - 1), (System.nanoTime() - deadlockAt) / 1_000_000);
            assertThat(took).isLessThan(Duration.ofSeconds(10));
        } finally {
            daemon.close();
        }
    }

    @Test
    void aSerializationFailureOnTheTargetIsRetriedAutomatically() throws Exception {
        InProcessDaemon daemon = setup();
        dst.exec("ALTER DATABASE " + dst.name() + " SET default_transaction_isolation = 'repeatable read'");
        // ibex's target session picks the setting up when it connects again
        dst.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ibex:ab'");
        try (Connection other = dst.connect(); Connection watch = dst.connect()) {
            try (Statement s = other.createStatement()) {
                s.execute("SHOW default_transaction_isolation");
            }
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                // a new version of the row, same content: ibex's batch will want to delete it
                s.execute("UPDATE a SET v = v WHERE id = 2");
            }
            src.exec("UPDATE a SET v = 'serialization' WHERE id = 2", "UPDATE b SET v = 'serialization' WHERE id = 2");
            awaitIbexWaiting(watch);
            long committedAt = System.nanoTime();
            other.commit(); // ibex's REPEATABLE READ transaction cannot delete a row changed after its snapshot
            Duration took = Convergence.awaitAllEqual(Duration.ofSeconds(30), TABLES, List.of(src, dst), repo);
            List<String> errors = Diagnostics.runErrors(repo, "ab");
            assertThat(errors).anyMatch(e -> e.contains("could not serialize access"));
            assertThat(dst.queryLong("SELECT count(*) FROM a WHERE v = 'serialization'")).isEqualTo(1);
            Waits.await(Duration.ofSeconds(30), "sync Good", Waits.quietly(() -> ibex.status("ab").currentState().equals("Good")));
            System.out.printf("faults: serialization failure on the target retried automatically (error: %s); converged %d ms after it%n",
                    errors.get(errors.size() - 1), (System.nanoTime() - committedAt) / 1_000_000);
            assertThat(took).isLessThan(Duration.ofSeconds(10));
        } finally {
            daemon.close();
        }
    }
}
