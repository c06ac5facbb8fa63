package io.ibex.faults;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.DaemonProc;
import io.ibex.testkit.Db;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 23: the daemon, a process of its own, SIGKILLed between an 'ibex ddl' and its apply on the target, under a
 * write load: killed before the statement ran on the source, right after it ran (racing the apply), and after the
 * target committed it but before the repository recorded it (the statement made on the target by hand while the
 * daemon is dead, as the killed daemon would have left it). Each time the restarted daemon converges: every column,
 * every row, by content hash.
 */
@ExtendWith(ServersPerClass.class)
class SchemaChangeKillTest {

    @Server("17") static PostgresServer pg;

    @Test
    void sigkilledBetweenTheDdlAndItsApplyConverges() throws Exception {
        long started = System.nanoTime();
        Db src = Db.create("source", pg, "ddlkillsrc");
        Db dst = Db.create("target", pg, "ddlkilldst");
        Db repo = Db.create("repository", pg, "ddlkillrepo");
        String ddl = "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)";
        src.exec(ddl, "INSERT INTO t SELECT g, g FROM generate_series(1, 5000) g");
        dst.exec(ddl, "INSERT INTO t SELECT g, g FROM generate_series(1, 5000) g");
        Ibex ibex = IbexSetup.install(repo, src, dst);
        ibex.addTables(List.of("t"), Map.of("db", "src", "relgroup", "rg"), false);
        ibex.addSync("s", Map.of("relgroup", "rg", "db", "src,dst"));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        Thread writer = new Thread(() -> write(src, stop, writes), "writer");
        writer.start();
        DaemonProc daemon = new DaemonProc(repo, Files.createTempDirectory("ibex-ddl-kill"));
        try {
            daemon.start();
            Thread.sleep(1000);

            // 1: killed, then the statement: the restarted daemon applies it at its point
            daemon.kill();
            ibex.ddl("s", "ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 1");
            src.exec("UPDATE t SET a = id % 7 WHERE id % 3 = 0");
            daemon.start();
            awaitColumn(dst, "a");

            // 2: the statement, and the kill at once, racing its apply
            ibex.ddl("s", "ALTER TABLE t ADD COLUMN b text DEFAULT 'b'");
            daemon.kill();
            src.exec("UPDATE t SET b = 'x' || id WHERE id % 5 = 0");
            daemon.start();
            awaitColumn(dst, "b");

            // 3: the target has it, the repository does not know (a kill between the two commits); the statement
            // before it recorded (a crash leaves at most the last one run in doubt)
            awaitRecorded(repo, 2);
            daemon.kill();
            ibex.ddl("s", "ALTER TABLE t RENAME COLUMN b TO bee");
            dst.exec("ALTER TABLE t RENAME COLUMN b TO bee");
            src.exec("UPDATE t SET bee = 'y' || id WHERE id % 11 = 0");
            daemon.start();
            awaitColumn(dst, "bee");

            stop.set(true);
            writer.join();
            Convergence.awaitAllEqual(Duration.ofSeconds(60), List.of("public.t"), List.of(src, dst));
            assertThat(ibex.status("s").held()).isEmpty();
            try (Connection c = dst.connect(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*) FILTER (WHERE a <> 1), count(*) FILTER (WHERE bee LIKE 'y%') FROM t")) {
                rs.next();
                assertThat(rs.getLong(1)).isPositive();
                assertThat(rs.getLong(2)).isPositive();
            }
            System.out.printf("faults: 3 daemon kills around 'ibex ddl' under %d writes converged; test took %d ms%n", writes.get(),
                    (System.nanoTime() - started) / 1_000_000);
        } finally {
            stop.set(true);
            daemon.kill();
        }
    }

    /** Waits until the restarted daemon has given the target the column (a daemon's JVM takes seconds to start here). */
    private static void awaitColumn(Db db, String column) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            try (Connection c = db.connect(); var st = c.createStatement(); var rs = st.executeQuery(
                    "SELECT 1 FROM pg_attribute WHERE attrelid = 'public.t'::regclass AND attname = '" + column + "' AND NOT attisdropped")) {
                if (rs.next()) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("column " + column + " never reached " + db.label());
    }

    private static void awaitRecorded(Db repo, int statements) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (repo.queryLong("SELECT count(*) FROM ibex.ddl_applied") < statements) {
            if (System.nanoTime() > until) {
                throw new AssertionError("the repository never recorded " + statements + " statements applied");
            }
            Thread.sleep(100);
        }
    }

    private static void write(Db src, AtomicBoolean stop, AtomicLong writes) {
        try (Connection c = src.connect(); var st = c.createStatement()) {
            int next = 5001;
            while (!stop.get()) {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                st.execute("INSERT INTO t (id, v) VALUES (" + next++ + ", " + rnd.nextInt(1000) + ")");
                st.execute("UPDATE t SET v = v + 1 WHERE id = " + rnd.nextInt(1, next));
                if (rnd.nextInt(10) == 0) {
                    st.execute("DELETE FROM t WHERE id = " + rnd.nextInt(1, next));
                }
                writes.addAndGet(2);
                Thread.sleep(2);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
