package io.ibex.it;

import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.engine.Daemon;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.verify.TableDigest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A target whose foreign keys fire (replica_mode=none, as on a managed database without a replica_function): its
 * role is no superuser and may not set session_replication_role. The tables must then be written in the order of
 * their foreign keys: copied parents first (children emptied first), batches inserting parents first and deleting
 * children first, rows that stay updated in place (an ON DELETE CASCADE would otherwise take their children).
 */
@ExtendWith(ServersPerClass.class)
class ForeignKeyOrderTest {

    @Server("17") static PostgresServer server;
    static final AtomicInteger SEQ = new AtomicInteger();
    static final List<String> TABLES = List.of("public.parent", "public.child", "public.grandchild", "public.node");
    Daemon daemon;
    Thread daemonThread;

    @BeforeAll
    static void start() throws Exception {
        server.createRole("fk_admin", null, false);
        server.createRole("fk_owner", null, false);
        server.createRole("fk_apply", null, false);
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.requestStop();
            daemonThread.join(60_000);
        }
    }

    static final String FAMILY = "CREATE TABLE parent (id int PRIMARY KEY, name text);"
            + "CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent ON DELETE CASCADE, v text);"
            + "CREATE TABLE grandchild (id int PRIMARY KEY, child_id int NOT NULL REFERENCES child, v text);"
            + "CREATE TABLE node (id int PRIMARY KEY, up int REFERENCES node, v text)";

    record Setup(Ibex ibex, String source, String target) {
    }

    /** Source owned by fk_owner, target tables writable by fk_apply (replica_mode=none), repository owned by fk_admin. */
    Setup setup(String targetDdl) throws Exception {
        int n = SEQ.incrementAndGet();
        String src = "fksrc" + n;
        String dst = "fkdst" + n;
        String repo = "fkrepo" + n;
        server.execute("postgres", "CREATE DATABASE " + src + " OWNER fk_owner");
        server.execute("postgres", "CREATE DATABASE " + repo + " OWNER fk_admin");
        server.createDatabase(dst);
        server.execute(dst, targetDdl + ";GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO fk_apply;"
                + "GRANT TEMPORARY ON DATABASE " + dst + " TO fk_apply");
        Ibex ibex = new Ibex(new ConnectionSpec("localhost", server.port(), repo, "fk_admin", null));
        ibex.install();
        Map<String, String> s = new LinkedHashMap<>(Replication.dbParams(server, src));
        s.put("dbuser", "fk_owner");
        ibex.addDatabase("legacy", s, false);
        Map<String, String> t = new LinkedHashMap<>(Replication.dbParams(server, dst));
        t.put("dbuser", "fk_apply");
        t.put("replica_mode", "none");
        ibex.addDatabase("rds", t, false);
        return new Setup(ibex, src, dst);
    }

    @Test
    void aFamilyOfTablesIsCopiedAndKeptInTheOrderOfItsForeignKeys() throws Exception {
        Setup s = setup(FAMILY);
        try (Connection c = server.connect(s.source(), "fk_owner", null); var st = c.createStatement()) {
            st.execute(FAMILY);
            // the children are the biggest tables, so that a copy in size order would load them first
            st.execute("INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 200) g");
            st.execute("INSERT INTO child SELECT g, 1 + g % 200, 'c' || g FROM generate_series(1, 2000) g");
            st.execute("INSERT INTO grandchild SELECT g, 1 + g % 2000, 'g' || g FROM generate_series(1, 6000) g");
            // each node points at the next one, which a COPY reads after it
            st.execute("INSERT INTO node SELECT g, CASE WHEN g < 500 THEN g + 1 END, 'n' FROM generate_series(1, 500) g");
        }
        s.ibex().addTables(List.of("parent", "child", "grandchild", "node"), Map.of("db", "legacy", "relgroup", "family"), false);
        s.ibex().addSync("fam", Map.of("relgroup", "family", "db", "legacy,rds", "onetimecopy", "1"));
        startDaemon(s.ibex());
        awaitConverged(s, Duration.ofSeconds(60));

        // a concurrent load: new families, renamed parents (updated in place: their children stay), re-parented
        // children, deleted parents (their children cascade on the source), a tree that grows and moves
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger ids = new AtomicInteger(100_000);
        long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            Thread th = new Thread(() -> {
                try (Connection c = server.connect(s.source(), "fk_owner", null)) {
                    while (System.nanoTime() < until) {
                        writeSome(c, ids);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            th.start();
            writers.add(th);
        }
        for (Thread th : writers) {
            th.join();
        }
        assertThat(failure.get()).isNull();
        awaitConverged(s, Duration.ofSeconds(60));
        assertThat(count(s.target(), "grandchild")).isPositive();
    }

    /** One transaction of the load; a deadlock or a row deleted meanwhile by the other writer is simply retried. */
    static void writeSome(Connection c, AtomicInteger ids) throws SQLException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        c.setAutoCommit(false);
        try (var st = c.createStatement()) {
            int p = ids.incrementAndGet();
            int ch = ids.incrementAndGet();
            st.execute("INSERT INTO parent VALUES (" + p + ", 'new')");
            st.execute("INSERT INTO child VALUES (" + ch + ", " + p + ", 'new')");
            st.execute("INSERT INTO grandchild VALUES (" + ids.incrementAndGet() + ", " + ch + ", 'new')");
            st.execute("UPDATE parent SET name = name || '+' WHERE id IN (SELECT id FROM parent ORDER BY random() LIMIT 3)");
            st.execute("UPDATE child SET parent_id = " + p + " WHERE id = (SELECT id FROM child ORDER BY random() LIMIT 1)");
            int gone = r.nextInt(1, 200);
            st.execute("DELETE FROM grandchild WHERE child_id IN (SELECT id FROM child WHERE parent_id = " + gone + ")");
            st.execute("DELETE FROM parent WHERE id = " + gone);
            int n = ids.incrementAndGet();
            st.execute("INSERT INTO node VALUES (" + n + ", (SELECT id FROM node ORDER BY random() LIMIT 1), 'new')");
            st.execute("UPDATE node SET up = " + n + " WHERE id = (SELECT id FROM node WHERE id <> " + n + " AND up IS NOT NULL "
                    + "ORDER BY random() LIMIT 1)");
            st.execute("DELETE FROM node WHERE id = (SELECT id FROM node n WHERE NOT EXISTS (SELECT 1 FROM node m WHERE m.up = n.id) "
                    + "ORDER BY random() LIMIT 1)");
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            String state = e.getSQLState();
            if (!"40P01".equals(state) && !"23503".equals(state) && !"40001".equals(state)) {
                throw e;
            }
        } finally {
            c.setAutoCommit(true);
        }
    }

    @Test
    void aCycleOfForeignKeysIsRefusedWithOneLineThatNamesTheTablesAndTheFix() throws Exception {
        String cycle = "CREATE TABLE a (id int PRIMARY KEY, b_id int); CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);"
                + "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b; CREATE TABLE c (id int PRIMARY KEY, a_id int REFERENCES a)";
        Setup s = setup(cycle);
        try (Connection c = server.connect(s.source(), "fk_owner", null); var st = c.createStatement()) {
            st.execute(cycle);
        }
        s.ibex().addTables(List.of("a", "b", "c"), Map.of("db", "legacy", "relgroup", "abc"), false);
        assertThatThrownBy(() -> s.ibex().addSync("abc", Map.of("relgroup", "abc", "db", "legacy,rds")))
                .hasMessageContaining("database \"rds\": tables public.a, public.b reference each other through foreign keys")
                .hasMessageContaining("replica_function")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("public.c"));
        assertThat(s.ibex().syncs()).isEmpty();
    }

    void startDaemon(Ibex ibex) throws Exception {
        daemon = new Daemon(ibex.repositorySpec(), Files.createTempDirectory("fk").resolve("ibex.pid"));
        daemonThread = new Thread(daemon::run);
        daemonThread.start();
        assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).isTrue();
    }

    static void awaitConverged(Setup s, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!digests(s.source()).equals(digests(s.target())) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(digests(s.target())).isEqualTo(digests(s.source()));
    }

    static Map<String, TableDigest.Digest> digests(String db) throws SQLException {
        try (Connection c = server.connect(db)) {
            return TableDigest.ofAll(c, TABLES);
        }
    }

    static long count(String db, String table) throws SQLException {
        try (Connection c = server.connect(db); var rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
