package io.ibex.it;

import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Passwords: a role that must give one (md5) connects with a password taken from a pgpass file, and then none
 * is stored; a password given with dbpass= is stored but never shown.
 */
@ExtendWith(ServersPerClass.class)
class PasswordTest {

    static final String PASSWORD = "s3cr'et;\"pw ü";
    @Server("17") static PostgresServer server;
    static Path pgpass;

    @BeforeAll
    static void start() throws Exception {
        server.createRole("pw_user", PASSWORD, false);
        server.requirePassword("pw_user");
        server.createDatabase("pwdb");
        server.createDatabase("pwrepo");
        pgpass = Files.createTempFile("pgpass", "");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterEach
    void clear() {
        System.clearProperty("org.postgresql.pgpassfile");
    }

    static Map<String, String> params() {
        Map<String, String> p = new LinkedHashMap<>(Replication.dbParams(server, "pwdb"));
        p.put("dbuser", "pw_user");
        return p;
    }

    @Test
    void aPasswordFromPgpassIsUsedAndNotStored() throws Exception {
        Ibex ibex = new Ibex(new ConnectionSpec("localhost", server.port(), "pwrepo", "postgres", null));
        ibex.install();
        Files.writeString(pgpass, "");
        System.setProperty("org.postgresql.pgpassfile", pgpass.toString());
        assertThatThrownBy(() -> ibex.addDatabase("nopass", params(), false))
                .hasMessageContaining("cannot connect").hasMessageNotContaining(PASSWORD);

        // pgpass format: host:port:database:user:password, with : and \\ escaped by a backslash
        Files.writeString(pgpass, "localhost:" + server.port() + ":*:pw_user:" + PASSWORD.replace("\\", "\\\\").replace(":", "\\:") + "\n");
        ibex.addDatabase("frompgpass", params(), false);
        assertThat(ibex.databases()).filteredOn(d -> d.name().equals("frompgpass")).singleElement()
                .satisfies(d -> assertThat(d.password()).isNull());

        Map<String, String> withPass = params();
        withPass.put("dbpass", PASSWORD);
        System.clearProperty("org.postgresql.pgpassfile");
        ibex.addDatabase("stored", withPass, false);
        assertThat(ibex.databases()).filteredOn(d -> d.name().equals("stored")).singleElement()
                .satisfies(d -> assertThat(d.toString()).doesNotContain(PASSWORD).contains("password stored"));
        try (Connection c = server.connect("pwrepo"); var rs = c.createStatement().executeQuery(
                "SELECT has_table_privilege('public', 'ibex.db', 'SELECT')")) {
            rs.next();
            assertThat(rs.getBoolean(1)).as("PUBLIC may not read stored passwords").isFalse();
        }
    }
}
