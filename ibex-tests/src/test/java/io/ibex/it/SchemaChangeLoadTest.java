package io.ibex.it;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 23: columns added on a 9.3, 9.6 and 17 source while writers keep writing are added on the target by the
 * running daemon, with their values: one with a constant default (NOT NULL), then one whose default is volatile (the
 * table is copied whole). Proven by the content hashes of every column on both sides.
 */
@ExtendWith(ServersPerClass.class)
class SchemaChangeLoadTest {

    @Server("9.3") static PostgresServer pg93;
    @Server("9.6") static PostgresServer pg96;
    @Server("17") static PostgresServer pg17;

    @Test
    void addColumnUnderLoadOn93() throws Exception {
        addColumnUnderLoad(pg93, "9.3");
    }

    @Test
    void addColumnUnderLoadOn96() throws Exception {
        addColumnUnderLoad(pg96, "9.6");
    }

    @Test
    void addColumnUnderLoadOn17() throws Exception {
        addColumnUnderLoad(pg17, "17");
    }

    private void addColumnUnderLoad(PostgresServer sourceServer, String version) throws Exception {
        try (Replication r = new Replication(sourceServer, pg17)) {
            r.execBoth("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)", "CREATE TABLE u (id int PRIMARY KEY, w text)");
            r.execSource("INSERT INTO t SELECT g, g FROM generate_series(1, 2000) g");
            r.execTarget("INSERT INTO t SELECT g, g FROM generate_series(1, 2000) g");
            r.addDatabases();
            r.addSync("s", "t", "u");
            r.startDaemon();
            AtomicInteger phase = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            Thread writer = new Thread(() -> write(r, phase, stop, writes));
            writer.start();
            Thread.sleep(1500);
            r.execSource("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 7");
            phase.set(1); // from now on the writers set c too
            Thread.sleep(1500);
            r.execSource("ALTER TABLE t ADD COLUMN d double precision DEFAULT random()");
            phase.set(2);
            Thread.sleep(1500);
            stop.set(true);
            writer.join();
            long start = System.nanoTime();
            r.awaitConverged(Duration.ofSeconds(60), "public.t", "public.u");
            System.out.printf("schema: ADD COLUMN under load from %s: %d writes, converged %d ms after the load%n", version,
                    writes.get(), (System.nanoTime() - start) / 1_000_000);
            try (Connection c = r.target(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*) FILTER (WHERE c <> 7), count(DISTINCT d) FROM t")) {
                rs.next();
                assertThat(rs.getLong(1)).as("rows written with their own c after the column came").isPositive();
                assertThat(rs.getLong(2)).as("the volatile default's values, one per row, copied").isGreaterThan(2000);
            }
            assertThat(r.ibex.status("s").held()).as("nothing held").isEmpty();
        }
    }

    private static void write(Replication r, AtomicInteger phase, AtomicBoolean stop, AtomicLong writes) {
        try (Connection c = r.source(); var st = c.createStatement()) {
            int next = 2001;
            while (!stop.get()) {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                int id = rnd.nextInt(1, next);
                int p = phase.get();
                st.execute(p == 0 ? "INSERT INTO t VALUES (" + next + ", " + rnd.nextInt(1000) + ")"
                        : "INSERT INTO t (id, v, c) VALUES (" + next + ", " + rnd.nextInt(1000) + ", " + rnd.nextInt(1000) + ")");
                next++;
                st.execute("UPDATE t SET v = v + 1" + (p > 0 ? ", c = " + rnd.nextInt(1000) : "") + " WHERE id = " + id);
                st.execute("INSERT INTO u VALUES (" + next + ", 'w" + next + "')");
                if (rnd.nextInt(10) == 0) {
                    st.execute("DELETE FROM t WHERE id = " + rnd.nextInt(1, next));
                }
                writes.addAndGet(3);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
