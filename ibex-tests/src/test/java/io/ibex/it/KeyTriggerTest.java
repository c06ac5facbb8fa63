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
 * The key-change trigger (PostgreSQL 10+) fires only for an UPDATE that sets a key column, unless the table has a
 * BEFORE UPDATE row trigger, which can change a key the UPDATE did not set. Key changes of both kinds converge, and
 * a BEFORE UPDATE trigger added after capture was installed is found when the daemon starts the sync again.
 */
@ExtendWith(ServersPerClass.class)
class KeyTriggerTest {

    @Server("10") static PostgresServer source;
    @Server("17") static PostgresServer target;

    static final String TABLES_DDL = """
            CREATE TABLE plain (id int PRIMARY KEY, v text);
            CREATE TABLE moved (id int, k text, v text, PRIMARY KEY (id, k));
            CREATE TABLE later (id int PRIMARY KEY, v text);
            """;
    /** On the source only: a trigger that moves a row to another key when its v is set to 'move'. */
    static final String MOVER = """
            CREATE FUNCTION mover() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.v = 'move' THEN
                NEW.id := NEW.id + 1000;
              END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER a_mover BEFORE UPDATE ON moved FOR EACH ROW EXECUTE PROCEDURE mover();
            """;
    static final String[] TABLES = {"public.plain", "public.moved", "public.later"};

    @Test
    void keysChangedByTheStatementOrByABeforeTriggerConverge() throws Exception {
        try (Replication r = new Replication(source, target)) {
            r.execSource(TABLES_DDL, MOVER);
            r.execTarget(TABLES_DDL);
            r.addDatabases();
            r.addSync("s", TABLES);
            r.execSource("INSERT INTO plain SELECT g, 'p' || g FROM generate_series(1, 200) g",
                    "INSERT INTO moved SELECT g, 'k' || g, 'm' || g FROM generate_series(1, 200) g",
                    "INSERT INTO later SELECT g, 'l' || g FROM generate_series(1, 200) g");
            assertThat(keyTriggerColumns(r, "plain")).as("plain: key trigger only for UPDATEs that set the key").isEqualTo(1);
            assertThat(keyTriggerColumns(r, "moved")).as("moved (BEFORE UPDATE trigger): key trigger on every UPDATE").isZero();
            r.startDaemon();

            r.execSource("UPDATE plain SET id = id + 1000 WHERE id <= 5", // one statement, several key changes
                    "UPDATE plain SET id = 7000 WHERE id = 7", "UPDATE plain SET v = 'x' WHERE id = 50",
                    "UPDATE plain SET id = id + 5000 WHERE id > 100", // 100 rows: old keys in arrays
                    "UPDATE moved SET v = 'move' WHERE id <= 3", // keys changed by the trigger, not by the statement
                    "UPDATE moved SET v = 'move' WHERE id > 100", "UPDATE moved SET k = k || '!' WHERE id = 10");
            r.awaitConverged(Duration.ofSeconds(60), TABLES);
            assertThat(r.count(false, "moved WHERE id > 1000")).isEqualTo(103);

            // a BEFORE UPDATE trigger added to a table captured without one: found when the sync is planned again
            r.stopDaemon();
            r.execSource("CREATE TRIGGER a_mover BEFORE UPDATE ON later FOR EACH ROW EXECUTE PROCEDURE mover()");
            r.startDaemon();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (keyTriggerColumns(r, "later") != 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(keyTriggerColumns(r, "later")).as("later: key trigger widened when the daemon planned the sync").isZero();
            r.execSource("UPDATE later SET v = 'move' WHERE id <= 3", "UPDATE later SET v = 'move' WHERE id > 100");
            r.awaitConverged(Duration.ofSeconds(60), TABLES);
            assertThat(r.count(false, "later WHERE id > 1000")).isEqualTo(103);
        }
    }

    /** How many columns the table's key-change trigger is restricted to (0: it fires on every UPDATE). */
    private static int keyTriggerColumns(Replication r, String table) throws Exception {
        try (Connection c = r.source(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT array_length(tgattr, 1) FROM pg_trigger WHERE tgname = 'ibex_capture_key' AND tgrelid = '" + table + "'::regclass")) {
            assertThat(rs.next()).as("key trigger of " + table).isTrue();
            return rs.getInt(1);
        }
    }
}
