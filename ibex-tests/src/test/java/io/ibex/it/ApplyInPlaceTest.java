package io.ibex.it;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch updates the rows of its changed keys in place where the target table's only unique constraint is its key,
 * and deletes and inserts them where another unique constraint could make an UPDATE collide. Both converge under
 * updates, deletes, inserts, delete-and-reinsert and key changes in one transaction, rows swapping a unique value,
 * a key of every column, and a key that is a unique index instead of a primary key, on an old (9.6) target.
 */
@ExtendWith(ServersPerClass.class)
class ApplyInPlaceTest {

    @Server("17") static PostgresServer source;
    @Server("9.6") static PostgresServer target;

    static final String DDL = """
            CREATE TABLE plain (id int PRIMARY KEY, v text, n int);
            CREATE TABLE uniq (id int PRIMARY KEY, code text NOT NULL UNIQUE, n int);
            CREATE TABLE pairs (a int, b text, PRIMARY KEY (a, b));
            CREATE TABLE byindex (id int NOT NULL, v text);
            CREATE UNIQUE INDEX byindex_id ON byindex (id);
            """;
    static final String[] TABLES = {"public.plain", "public.uniq", "public.pairs", "public.byindex"};

    @Test
    void rowsUpdatedInPlaceOrReplacedConverge() throws Exception {
        try (Replication r = new Replication(source, target)) {
            r.execSource(DDL);
            r.execTarget(DDL);
            r.addDatabases();
            r.addSync("s", TABLES);
            r.startDaemon();
            r.execSource("INSERT INTO plain SELECT g, 'p' || g, 0 FROM generate_series(1, 300) g",
                    "INSERT INTO uniq SELECT g, 'c' || g, 0 FROM generate_series(1, 50) g",
                    "INSERT INTO pairs SELECT g % 10, 'b' || g FROM generate_series(1, 50) g",
                    "INSERT INTO byindex SELECT g, 'x' || g FROM generate_series(1, 50) g");
            r.awaitConverged(Duration.ofSeconds(60), TABLES);

            for (int i = 0; i < 20; i++) {
                r.execSource("UPDATE plain SET n = n + 1, v = v || '.' WHERE id % 7 = " + (i % 7),
                        "UPDATE byindex SET v = v || '!' WHERE id = " + (i + 1));
            }
            // one transaction, so one batch: update, delete, insert, delete and reinsert, a key change
            r.execSource("BEGIN; UPDATE plain SET n = -1 WHERE id = 1; DELETE FROM plain WHERE id = 2; INSERT INTO plain VALUES (1001, 'new', 0);"
                    + " DELETE FROM plain WHERE id = 3; INSERT INTO plain VALUES (3, 'again', 3); UPDATE plain SET id = 2004 WHERE id = 4;"
                    + " DELETE FROM pairs WHERE a = 1; INSERT INTO pairs VALUES (1, 'b1'), (11, 'eleven'); UPDATE pairs SET b = b || '?' WHERE a = 2;"
                    + " DELETE FROM byindex WHERE id = 5; UPDATE byindex SET id = 500 WHERE id = 6; COMMIT",
                    // two rows swap a unique code within one transaction
                    "BEGIN; UPDATE uniq SET code = 'tmp' WHERE id = 1; UPDATE uniq SET code = 'c1' WHERE id = 2; UPDATE uniq SET code = 'c2' WHERE id = 1; COMMIT",
                    "UPDATE uniq SET n = n + 1");
            r.awaitConverged(Duration.ofSeconds(60), TABLES);
            assertThat(r.count(false, "plain WHERE id IN (1001, 2004) OR v = 'again'")).isEqualTo(3);

            // the rows of plain were updated in place on the target, as its statistics count them: a session reports
            // them when it ends a transaction at least 500 ms after its last report, so changes keep coming meanwhile
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long updated = 0;
            while (updated == 0 && System.nanoTime() < deadline) {
                r.execSource("UPDATE plain SET n = n + 1 WHERE id = 10");
                try (Connection c = r.target(); ResultSet rs = c.createStatement().executeQuery(
                        "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'plain'")) {
                    rs.next();
                    updated = rs.getLong(1);
                }
                Thread.sleep(200);
            }
            assertThat(updated).as("rows of plain updated in place on the target").isGreaterThan(0);
            r.awaitConverged(Duration.ofSeconds(60), TABLES);
        }
    }
}
