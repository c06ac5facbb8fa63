package io.ibex.it;

import io.ibex.capture.CaptureInstaller;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The capture triggers skip ibex's own sessions only: an application that names itself like ibex
 * (application_name 'ibex:...') is captured like any other.
 */
@ExtendWith(ServersPerClass.class)
class OwnSessionTest {

    @Server("17") static PostgresServer server;

    @BeforeAll
    static void start() throws Exception {
        server.createRole("app", "app-secret", false);
    }

    /** A session on the source database as the given role, calling itself application_name. */
    static Connection session(Replication r, String user, String password, String applicationName) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(server.jdbcUrl(r.sourceDb), p);
    }

    @Test
    void sessionsThatOnlyCallThemselvesIbexAreCaptured() throws Exception {
        try (Replication r = new Replication(server, server)) {
            String ddl = "CREATE TABLE t (id int PRIMARY KEY, v text)";
            r.execSource(ddl, "GRANT SELECT, INSERT, UPDATE, DELETE ON t TO app");
            r.execTarget(ddl);
            r.addDatabases();
            r.addSync("s", "t");
            r.startDaemon();
            try (Connection other = session(r, "app", "app-secret", "ibex:s"); var st = other.createStatement()) {
                st.execute("INSERT INTO t SELECT g, 'another role' FROM generate_series(1, 100) g");
                st.execute("UPDATE t SET v = 'updated by another role' WHERE id <= 10");
            }
            try (Connection same = session(r, server.superuser(), null, "ibex:x"); var st = same.createStatement()) {
                st.execute("INSERT INTO t SELECT g, 'same role, not ibex' FROM generate_series(101, 150) g");
                st.execute("DELETE FROM t WHERE id BETWEEN 91 AND 100");
            }
            r.awaitConverged(Duration.ofSeconds(30), "public.t");
            assertThat(r.count(false, "t")).isEqualTo(140);
        }
    }

    @Test
    void ibexsOwnWritesOnASourceAreStillNotCapturedAgain() throws Exception {
        try (Replication r = new Replication(server, server)) {
            String ddl = "CREATE TABLE t (id int PRIMARY KEY, v text)";
            r.execBoth(ddl);
            r.addDatabases();
            r.ibex.addTables(List.of("t"), Map.of("db", "source", "relgroup", "rg"), false);
            r.ibex.addSync("ab", Map.of("relgroup", "rg", "dbs", "source:source,target:source", "autokick", "on"));
            r.startDaemon();
            r.execSource("INSERT INTO t SELECT g, 'from a' FROM generate_series(1, 100) g");
            r.awaitConverged(Duration.ofSeconds(30), "public.t");
            r.execTarget("INSERT INTO t SELECT g, 'from b' FROM generate_series(101, 120) g");
            r.awaitConverged(Duration.ofSeconds(30), "public.t");
            String delta = CaptureInstaller.names("public", "t").qualifiedDelta();
            assertThat(r.count(false, delta + " WHERE id <= 100")).as("rows ibex applied on b are not recorded as b's changes").isZero();
            assertThat(r.count(true, delta + " WHERE id > 100")).as("rows ibex applied on a are not recorded as a's changes").isZero();
        }
    }
}
