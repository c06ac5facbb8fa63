package io.ibex.faults;

import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.TcpProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The test proxy between a client and a real PostgreSQL: forwards, cuts (resets and blackholes), heals. */
@ExtendWith(ServersPerClass.class)
class TcpProxyTest {

    @Server("17") static PostgresServer server;

    @Test
    void forwardsCutsAndHeals() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(server.port())) {
            Connection before = connect(proxy);
            assertThat(one(before)).isEqualTo(1);
            long pid = backendPid(before);

            long cutAt = System.nanoTime();
            proxy.cut();
            // an open connection is reset at once: the client sees an error, not a hang
            assertThatThrownBy(() -> one(before)).isInstanceOf(SQLException.class);
            assertThat((System.nanoTime() - cutAt) / 1_000_000).as("ms until the open connection failed").isLessThan(3000);
            // a new one is blackholed: accepted, never answered, until the login timeout
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> connect(proxy)).isInstanceOf(SQLException.class);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("ms a new connection hung").isGreaterThanOrEqualTo(1500);
            // the server itself is up, and its side of the cut connection goes away
            try (Connection direct = server.connect("postgres")) {
                assertThat(one(direct)).isEqualTo(1);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (backendAlive(direct, pid) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(backendAlive(direct, pid)).as("the server's backend of the cut connection is gone").isFalse();
            }

            proxy.heal();
            try (Connection after = connect(proxy)) {
                assertThat(one(after)).isEqualTo(1);
            }
        }
    }

    private static Connection connect(TcpProxy proxy) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("loginTimeout", "2");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres", p);
    }

    private static int one(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static long backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean backendAlive(Connection c, long pid) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }
}
