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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A managed target (as on RDS): ibex's roles are not superusers. Each role has exactly the privileges the README
 * lists: the repository role owns its database; the source role owns the replicated tables (and here the
 * database they are in, as an application's owner often does); the target role may read and write the tables and create temporary tables. Three ways to hold off the
 * target's triggers are tested: PostgreSQL 15's GRANT SET ON PARAMETER, a security-definer function, and the
 * explicit opt-in to none.
 */
@ExtendWith(ServersPerClass.class)
class ManagedTargetTest {

    @Server("17") static PostgresServer server;
    static final AtomicInteger SEQ = new AtomicInteger();
    Daemon daemon;
    Thread daemonThread;

    @BeforeAll
    static void start() throws Exception {
        server.createRole("ibex_admin", null, false);
        server.createRole("app_owner", null, false);
        server.createRole("ibex_apply", null, false);
        server.createRole("ibex_fn_apply", null, false);
        server.createRole("ibex_plain", null, false);
        server.createRole("app_writer", null, false);
        server.execute("postgres", "GRANT SET ON PARAMETER session_replication_role TO ibex_apply");
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.requestStop();
            daemonThread.join(60_000);
        }
    }

    static final String TABLES = "CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric);"
            + "CREATE TABLE audit (n serial PRIMARY KEY, what text)";

    record Setup(Ibex ibex, String source, String target) {
    }

    /** Source owned by app_owner, target tables writable by targetRole, repository owned by ibex_admin. */
    Setup setup(String targetRole, Map<String, String> targetOptions) throws Exception {
        int n = SEQ.incrementAndGet();
        String src = "msrc" + n;
        String dst = "mdst" + n;
        String repo = "mrepo" + n;
        server.execute("postgres", "CREATE DATABASE " + src + " OWNER app_owner");
        server.execute("postgres", "CREATE DATABASE " + repo + " OWNER ibex_admin");
        server.createDatabase(dst);
        try (Connection c = server.connect(src, "app_owner", null); var s = c.createStatement()) {
            s.execute(TABLES);
            s.execute("INSERT INTO accounts SELECT g, 'owner ' || g, g * 10 FROM generate_series(1, 1000) g");
            // an application role that may write the table and nothing else: capture must not need more
            s.execute("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON accounts TO app_writer");
        }
        server.execute(dst, TABLES + ";"
                // a trigger the target has: it must not fire for replicated rows when it is held off
                + "CREATE FUNCTION note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit (what) VALUES (TG_OP); RETURN NULL; END $$;"
                + "CREATE TRIGGER note AFTER INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION note();"
                + "GRANT SELECT, INSERT, DELETE, TRUNCATE ON accounts TO " + targetRole + ";"
                + "GRANT INSERT ON audit TO " + targetRole + "; GRANT USAGE ON SEQUENCE audit_n_seq TO " + targetRole + ";"
                + "GRANT TEMPORARY ON DATABASE " + dst + " TO " + targetRole);
        Ibex ibex = new Ibex(new ConnectionSpec("localhost", server.port(), repo, "ibex_admin", null));
        assertThat(ibex.install()).isEqualTo(Ibex.InstallOutcome.INSTALLED);
        Map<String, String> s = new LinkedHashMap<>(Replication.dbParams(server, src));
        s.put("dbuser", "app_owner");
        ibex.addDatabase("legacy", s, false);
        Map<String, String> t = new LinkedHashMap<>(Replication.dbParams(server, dst));
        t.put("dbuser", targetRole);
        t.putAll(targetOptions);
        ibex.addDatabase("rds", t, false);
        ibex.addTables(List.of("accounts"), Map.of("db", "legacy", "relgroup", "bank"), false);
        return new Setup(ibex, src, dst);
    }

    void replicateAndCompare(Setup s) throws Exception {
        s.ibex().addSync("move", Map.of("relgroup", "bank", "db", "legacy,rds", "onetimecopy", "1"));
        daemon = new Daemon(s.ibex().repositorySpec(), Files.createTempDirectory("managed").resolve("ibex.pid"));
        daemonThread = new Thread(daemon::run);
        daemonThread.start();
        assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).isTrue();
        try (Connection c = server.connect(s.source(), "app_owner", null); var st = c.createStatement()) {
            st.execute("UPDATE accounts SET balance = balance + 1 WHERE id % 7 = 0");
            st.execute("DELETE FROM accounts WHERE id > 990");
            st.execute("INSERT INTO accounts VALUES (5000, 'new', 1)");
        }
        try (Connection c = server.connect(s.source(), "app_writer", null); var st = c.createStatement()) {
            st.execute("UPDATE accounts SET balance = balance * 2 WHERE id % 5 = 0");
            st.execute("UPDATE accounts SET id = id + 10000 WHERE id BETWEEN 100 AND 110");
            st.execute("DELETE FROM accounts WHERE id BETWEEN 200 AND 205");
            st.execute("INSERT INTO accounts VALUES (6000, 'by the application role', 2)");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!digest(s.source()).equals(digest(s.target())) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(digest(s.target())).isEqualTo(digest(s.source()));
    }

    static TableDigest.Digest digest(String db) throws Exception {
        try (Connection c = server.connect(db)) {
            return TableDigest.of(c, "public", "accounts", List.of("id"));
        }
    }

    static long auditRows(String db) throws Exception {
        try (Connection c = server.connect(db); var rs = c.createStatement().executeQuery("SELECT count(*) FROM audit")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void grantSetOnParameterOnPostgres15AndLater() throws Exception {
        Setup s = setup("ibex_apply", Map.of());
        replicateAndCompare(s);
        assertThat(s.ibex().validate("move").replicaModes()).containsEntry("rds", "SET session_replication_role");
        assertThat(auditRows(s.target())).isZero();
    }

    @Test
    void aSecurityDefinerFunctionAsInTheWalkthrough() throws Exception {
        Setup s = setup("ibex_fn_apply", Map.of("replica_function", "public.ibex_replication_role"));
        server.execute(s.target(), Ibex.replicaFunctionSql("ibex_fn_apply"));
        replicateAndCompare(s);
        assertThat(s.ibex().validate("move").replicaModes()).containsEntry("rds", "function public.ibex_replication_role()");
        assertThat(auditRows(s.target())).isZero();
    }

    @Test
    void neitherExplainsWhatWouldBeLostAndAppliesOnlyWhenTheUserOptsIn() throws Exception {
        Setup s = setup("ibex_plain", Map.of());
        assertThatThrownBy(() -> s.ibex().addSync("move", Map.of("relgroup", "bank", "db", "legacy,rds")))
                .hasMessageContaining("may not set session_replication_role")
                .hasMessageContaining("triggers and foreign-key checks")
                .hasMessageContaining("GRANT SET ON PARAMETER session_replication_role TO ibex_plain")
                .hasMessageContaining("replica_mode=none");
        assertThat(s.ibex().syncs()).isEmpty();
        s.ibex().update("db", "rds", Map.of("replica_mode", "none"));
        replicateAndCompare(s);
        assertThat(s.ibex().validate("move").replicaModes().get("rds")).startsWith("none");
        assertThat(auditRows(s.target())).as("the target's trigger fired, as the user accepted").isPositive();
    }
}
