package io.ibex.faults;

import io.ibex.api.Ibex;
import io.ibex.api.SyncStatus;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.Db;
import io.ibex.testkit.Diagnostics;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.InProcessDaemon;
import io.ibex.model.SyncRun;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A change that cannot be applied however often it is retried: a unique index that exists only on the target,
 * on a non-key column, and a row the source inserts that collides with a row on the target. The sync of that
 * table turns Bad with an error naming the table and the colliding value; a second sync from the same source to the same target keeps
 * replicating all along; once the user deletes the colliding row on the target, the bad sync turns Good by itself
 * and both tables end equal.
 */
@ExtendWith(ServersPerClass.class)
class UnrecoverableRowTest {

    @Server("17") static PostgresServer sourceServer;
    @Server("17") static PostgresServer targetServer;

    @Test
    void aUniqueViolationTurnsOnlyItsSyncBadUntilTheUserFixesTheRow() throws Exception {
        long started = System.nanoTime();
        Db src = Db.create("source", sourceServer, "uvsrc");
        Db dst = Db.create("target", targetServer, "uvdst");
        Db repo = Db.create("repository", targetServer, "uvrepo");
        for (Db d : List.of(src, dst)) {
            d.exec("CREATE TABLE accounts (id int PRIMARY KEY, email text, n int)", "CREATE TABLE orders (id int PRIMARY KEY, v text, n int)",
                    "INSERT INTO accounts SELECT g, 'user' || g || '@example.org', 0 FROM generate_series(1, 1000) g",
                    "INSERT INTO orders SELECT g, 'order' || g, 0 FROM generate_series(1, 1000) g");
        }
        Ibex ibex = IbexSetup.install(repo, src, dst);
        ibex.addTables(List.of("accounts"), Map.of("db", "src", "relgroup", "rg_accounts"), false);
        ibex.addTables(List.of("orders"), Map.of("db", "src", "relgroup", "rg_orders"), false);
        ibex.addSync("accounts", Map.of("relgroup", "rg_accounts", "db", "src,dst"));
        ibex.addSync("orders", Map.of("relgroup", "rg_orders", "db", "src,dst"));

        // the target has a unique index the source lacks, and a row of its own
        dst.exec("CREATE UNIQUE INDEX accounts_email_key ON accounts (email)",
                "INSERT INTO accounts VALUES (900001, 'alice@example.org', 0)");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean pause = new AtomicBoolean();
        AtomicLong orderWrites = new AtomicLong();
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            Random rnd = new Random(7);
            try (Connection c = src.connect(); Statement s = c.createStatement()) {
                int next = 1001;
                while (!stop.get()) {
                    if (pause.get()) {
                        Thread.sleep(20);
                        continue;
                    }
                    if (rnd.nextBoolean()) {
                        s.execute("UPDATE orders SET n = n + 1 WHERE id = " + (1 + rnd.nextInt(1000)));
                    } else {
                        s.execute("INSERT INTO orders VALUES (" + next++ + ", 'new', 0)");
                    }
                    s.execute("UPDATE accounts SET n = n + 1 WHERE id = " + (1 + rnd.nextInt(1000)));
                    orderWrites.incrementAndGet();
                    Thread.sleep(20);
                }
            } catch (SQLException | InterruptedException | RuntimeException e) {
                writerError.set(e);
            }
        }, "writer");

        try (InProcessDaemon daemon = new InProcessDaemon(repo.spec())) {
            writer.start();
            Thread.sleep(1000);
            src.exec("INSERT INTO accounts VALUES (4242, 'alice@example.org', 0)");

            Waits.await(Duration.ofSeconds(30), "sync accounts Bad", Waits.quietly(() -> ibex.status("accounts").currentState().equals("Bad")));
            SyncStatus bad = ibex.status("accounts");
            String error = bad.lastBad().map(SyncRun::error).orElse("");
            System.out.println("faults: the unique violation is reported as: " + error);
            assertThat(error).as("the error names the database, the table and the index").contains("dst").contains("public.accounts")
                    .contains("accounts_email_key");
            // the colliding value, so that the user can find the row on the target
            assertThat(error).as("the error names the colliding value").contains("alice@example.org");
            System.out.println("faults: the error " + (error.contains("4242") ? "names" : "does not name") + " the source row's primary key");

            // the other sync keeps going while this one is Bad, several retries long
            long mark = orderWrites.get();
            Thread.sleep(5000);
            assertThat(orderWrites.get()).isGreaterThan(mark + 50);
            pause.set(true);
            Thread.sleep(100);
            Convergence.awaitAllEqual(Duration.ofSeconds(20), List.of("public.orders"), List.of(src, dst));
            assertThat(dst.queryLong("SELECT count(*) FROM orders")).isGreaterThan(1050);
            pause.set(false);
            assertThat(ibex.status("accounts").currentState()).isEqualTo("Bad");
            assertThat(ibex.status("orders").currentState()).isNotEqualTo("Bad");
            assertThat(dst.queryLong("SELECT count(*) FROM accounts WHERE id = 4242")).isZero();
            int retries = Diagnostics.runErrors(repo, "accounts").size();

            // the user removes the target's own row; nobody touches ibex
            dst.exec("DELETE FROM accounts WHERE id = 900001");
            long fixed = System.nanoTime();
            Waits.await(Duration.ofSeconds(90), "sync accounts Good again", Waits.quietly(() ->
                    ibex.status("accounts").currentState().equals("Good")));
            long recovered = (System.nanoTime() - fixed) / 1_000_000;
            stop.set(true);
            writer.join();
            assertThat(writerError.get()).isNull();
            Convergence.awaitAllEqual(Duration.ofSeconds(60), List.of("public.accounts", "public.orders"), List.of(src, dst), repo);
            assertThat(dst.queryLong("SELECT count(*) FROM accounts WHERE id = 4242")).isEqualTo(1);
            System.out.printf("faults: unique violation: sync Bad for %d failed runs, the other sync Good meanwhile, Good again %d ms "
                    + "after the fix, converged; test took %d s%n", retries, recovered, (System.nanoTime() - started) / 1_000_000_000);
        } finally {
            stop.set(true);
            writer.join();
        }
    }
}
