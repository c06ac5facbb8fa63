package io.ibex.it;

import io.ibex.spi.ApplyException;
import io.ibex.spi.CopyPath;
import io.ibex.apply.PostgresTarget;
import io.ibex.apply.ReplicaMode;
import io.ibex.catalog.SourceCatalog;
import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.verify.TableDigest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A full copy loads a table as pg_restore does, without its indexes, and builds them after the rows in the same
 * transaction: every index and constraint comes back exactly as it was (compared by pg_get_indexdef and
 * pg_get_constraintdef, names, comments, CLUSTER and REPLICA IDENTITY marks), on every target version; an error or a
 * killed connection in the middle leaves the table with its indexes and its old rows; a table referenced by a
 * foreign key, or not owned by the target's role, keeps its indexes (the old path) and is still copied exactly.
 */
class CopyIndexesTest {

    static final Map<String, PostgresServer> SERVERS = new ConcurrentHashMap<>();
    static int databases;

    static PostgresServer server(String version) {
        return SERVERS.computeIfAbsent(version, PostgresServer::start);
    }

    @AfterAll
    static void stop() {
        SERVERS.values().forEach(PostgresServer::close);
    }

    static final String SCHEMA = "Shop";
    static final String TABLE = "Line Items";
    static final List<String> KEY = List.of("Order Id", "line");

    /** A table with every kind of index the fast path handles, and (11+) one it must keep. */
    static List<String> ddl(int version) {
        List<String> sql = new ArrayList<>(List.of(
                "CREATE SCHEMA \"Shop\"",
                "CREATE TABLE \"Shop\".\"Line Items\" (\"Order Id\" int NOT NULL, line int NOT NULL, sku text NOT NULL, \"Qty\" int,"
                        + " during tsrange, note text,"
                        + " CONSTRAINT \"Line Items PK\" PRIMARY KEY (\"Order Id\", line) WITH (fillfactor = 80),"
                        + " CONSTRAINT \"sku per order\" UNIQUE (\"Order Id\", sku) DEFERRABLE INITIALLY DEFERRED,"
                        + " CONSTRAINT \"no overlap\" EXCLUDE USING gist (during WITH &&) WITH (fillfactor = 70))",
                "CREATE UNIQUE INDEX \"Sku Upper\" ON \"Shop\".\"Line Items\" (upper(sku), \"Order Id\")",
                "CREATE INDEX big_qty ON \"Shop\".\"Line Items\" (\"Qty\") WHERE \"Qty\" > 5 AND note IS NOT NULL",
                "CREATE INDEX note_lower ON \"Shop\".\"Line Items\" (lower(note) text_pattern_ops)",
                "CREATE INDEX \"desc\" ON \"Shop\".\"Line Items\" (line DESC NULLS LAST, \"Qty\")",
                "CREATE UNIQUE INDEX ident ON \"Shop\".\"Line Items\" (line, \"Order Id\")",
                "COMMENT ON INDEX \"Shop\".big_qty IS 'big ''orders'' \\ only'",
                "COMMENT ON CONSTRAINT \"Line Items PK\" ON \"Shop\".\"Line Items\" IS 'the key'",
                "ALTER TABLE \"Shop\".\"Line Items\" CLUSTER ON \"desc\""));
        if (version >= 90400) {
            sql.add("ALTER TABLE \"Shop\".\"Line Items\" REPLICA IDENTITY USING INDEX ident");
        }
        if (version >= 110000) {
            sql.add("ALTER TABLE \"Shop\".\"Line Items\" ADD CONSTRAINT \"sku covering\" UNIQUE " + (version >= 150000 ? "NULLS NOT DISTINCT " : "")
                    + "(sku, \"Qty\") INCLUDE (note) WITH (fillfactor = 60)");
            sql.add("CREATE INDEX stats ON \"Shop\".\"Line Items\" (abs(\"Qty\"))");
            sql.add("ALTER INDEX \"Shop\".stats ALTER COLUMN 1 SET STATISTICS 500");
        }
        return sql;
    }

    static final String ROWS = "SELECT g / 10, g % 10, 'sku' || g, g % 13,"
            + " CASE WHEN g % 7 = 0 THEN NULL ELSE tsrange('2020-01-01'::timestamp + g * interval '1 hour',"
            + " '2020-01-01'::timestamp + g * interval '1 hour' + interval '30 minutes') END,"
            + " CASE WHEN g % 5 = 0 THEN NULL ELSE 'Note ' || g END FROM generate_series(1, 20000) g";

    /** Every index of the table as the catalog describes it, by name; the REPLICA IDENTITY setting last. */
    static List<String> indexes(Connection c) throws Exception {
        String replident = Pg.serverVersion(c) >= 90400 ? "i.indisreplident" : "false";
        List<String> rows = Pg.query(c, "SELECT ic.relname || ' | ' || pg_get_indexdef(i.indexrelid) || ' | ' || coalesce(con.conname, '-')"
                + " || ' | ' || coalesce(pg_get_constraintdef(con.oid), '-') || ' | clustered ' || i.indisclustered"
                + " || ' | replident ' || " + replident + " || ' | valid ' || i.indisvalid"
                + " || ' | ' || coalesce(obj_description(i.indexrelid, 'pg_class'), '-')"
                + " || ' | ' || coalesce(obj_description(con.oid, 'pg_constraint'), '-')"
                + " || ' | stats ' || coalesce((SELECT string_agg(a.attstattarget::text, ',' ORDER BY a.attnum) FROM pg_attribute a"
                + "    WHERE a.attrelid = i.indexrelid), '')"
                + " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')"
                + " WHERE i.indrelid = '\"Shop\".\"Line Items\"'::regclass ORDER BY ic.relname", rs -> rs.getString(1));
        rows.add("relreplident " + (Pg.serverVersion(c) >= 90400
                ? Pg.queryString(c, "SELECT relreplident::text FROM pg_class WHERE oid = '\"Shop\".\"Line Items\"'::regclass") : "-"));
        rows.add("triggers " + Pg.queryString(c, "SELECT string_agg(x, '; ' ORDER BY x) FROM (SELECT p.proname || ' for '"
                + " || coalesce(con.conname, '-') || ' deferrable ' || t.tgdeferrable || ' deferred ' || t.tginitdeferred AS x"
                + " FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid LEFT JOIN pg_constraint con ON con.oid = t.tgconstraint"
                + " WHERE t.tgrelid = '\"Shop\".\"Line Items\"'::regclass) q"));
        rows.add("constraints " + Pg.queryString(c, "SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), '; ' ORDER BY conname)"
                + " FROM pg_constraint WHERE conrelid = '\"Shop\".\"Line Items\"'::regclass"));
        return rows;
    }

    /** The OID of each index: a rebuilt index has a new one. */
    static Map<String, Long> oids(Connection c) throws Exception {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String[] r : Pg.query(c, "SELECT ic.relname, ic.oid::text FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " WHERE i.indrelid = '\"Shop\".\"Line Items\"'::regclass ORDER BY 1", rs -> new String[] {rs.getString(1), rs.getString(2)})) {
            m.put(r[0], Long.parseLong(r[1]));
        }
        return m;
    }

    /** A new database with the table (and old rows in it) and a stage table holding the rows to copy, as COPY text. */
    static String database(PostgresServer server) throws Exception {
        String db = "ci" + (++databases);
        server.createDatabase(db);
        try (Connection c = server.connect(db); var s = c.createStatement()) {
            for (String sql : ddl(Pg.serverVersion(c))) {
                s.execute(sql);
            }
            s.execute("INSERT INTO \"Shop\".\"Line Items\" " + ROWS.replace("20000", "300").replace("'sku'", "'old'"));
            s.execute("CREATE TABLE stage AS SELECT * FROM \"Shop\".\"Line Items\" LIMIT 0");
            s.execute("INSERT INTO stage " + ROWS);
        }
        return db;
    }

    static byte[] stage(Connection c, String where) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT * FROM stage " + where + ") TO STDOUT", out);
        return out.toByteArray();
    }

    static TableInfo info(Connection c) throws Exception {
        TableInfo t = SourceCatalog.table(c, SCHEMA, TABLE).orElseThrow();
        c.commit();
        return t;
    }

    static TableDigest.Digest digest(Connection c, String table) throws Exception {
        return TableDigest.of(c, table.equals(TABLE) ? SCHEMA : "public", table, KEY);
    }

    @ParameterizedTest(name = "PostgreSQL {0} target, deletemethod {1}")
    @ValueSource(strings = {"17:truncate", "17:delete", "9.6:truncate", "9.5:delete", "9.3:truncate"})
    void theFastPathBuildsEveryIndexAndConstraintAgainExactly(String param) throws Exception {
        String version = param.split(":")[0];
        String deletemethod = param.split(":")[1];
        PostgresServer server = server(version);
        String db = database(server);
        try (Connection check = server.connect(db); Connection c = server.connect(db)) {
            if (deletemethod.equals("delete")) {
                Pg.exec(check, "DELETE FROM \"Shop\".\"Line Items\""); // delete: the fast path only for an empty table
            }
            int v = Pg.serverVersion(check);
            List<String> before = indexes(check);
            Map<String, Long> oidsBefore = oids(check);
            byte[] rows = stage(check, "");
            PostgresTarget tgt = new PostgresTarget(db, c, ReplicaMode.SET_ROLE);
            TableInfo t = info(c);
            tgt.begin();
            CopyPath path = tgt.emptyForCopy(t, deletemethod);
            assertThat(path.rebuilt()).as(path.why()).isEqualTo(v >= 110000 ? 9 : 8);
            assertThat(path.kept()).as(path.why()).isEqualTo(v >= 110000 ? 1 : 0);
            if (v >= 110000) {
                assertThat(path.why()).contains("stats: a column has its own statistics target");
            }
            assertThat(tgt.insertRows(t, new ByteArrayInputStream(rows))).isEqualTo(20000);
            assertThat(tgt.finishCopy(t)).contains(path.rebuilt() + " index(es) built after the rows");
            tgt.commit();
            tgt.close();

            assertThat(indexes(check)).isEqualTo(before);
            Map<String, Long> oidsAfter = oids(check);
            assertThat(oidsAfter.keySet()).isEqualTo(oidsBefore.keySet());
            assertRebuiltAllBut(oidsBefore, oidsAfter, "stats");
            assertThat(digest(check, TABLE)).isEqualTo(digest(check, "stage")).extracting(TableDigest.Digest::rows).isEqualTo(20000L);
            // and the constraints work: a duplicate key, a duplicate sku, an overlapping range are refused
            assertThatThrownBy(() -> Pg.exec(check, "INSERT INTO \"Shop\".\"Line Items\" VALUES (1, 1, 'x', 1, NULL, NULL)"))
                    .hasMessageContaining("Line Items PK");
            assertThatThrownBy(() -> Pg.exec(check, "INSERT INTO \"Shop\".\"Line Items\" (\"Order Id\", line, sku, during)"
                    + " VALUES (-1, 1, 'x', tsrange('2020-01-01 01:10', '2020-01-01 01:20'))")).hasMessageContaining("no overlap");
            // an index scan finds the rows
            Pg.exec(check, "SET enable_seqscan = off");
            assertThat(Pg.queryLong(check, "SELECT count(*) FROM \"Shop\".\"Line Items\" WHERE \"Qty\" > 5 AND note IS NOT NULL"))
                    .isEqualTo(Pg.queryLong(check, "SELECT count(*) FROM stage WHERE \"Qty\" > 5 AND note IS NOT NULL"));
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0} target")
    @ValueSource(strings = {"17", "9.3"})
    void aDuplicateKeyInTheRowsLeavesTheTableWithItsIndexesAndOldRows(String version) throws Exception {
        PostgresServer server = server(version);
        String db = database(server);
        try (Connection check = server.connect(db); Connection c = server.connect(db)) {
            Pg.exec(check, "INSERT INTO stage SELECT * FROM stage WHERE \"Order Id\" = 42 AND line = 3"); // a duplicate key
            List<String> before = indexes(check);
            Map<String, Long> oidsBefore = oids(check);
            TableDigest.Digest old = digest(check, TABLE);
            byte[] rows = stage(check, "");
            PostgresTarget tgt = new PostgresTarget(db, c, ReplicaMode.SET_ROLE);
            TableInfo t = info(c);
            tgt.begin();
            assertThat(tgt.emptyForCopy(t, "truncate").rebuilt()).isPositive();
            assertThat(tgt.insertRows(t, new ByteArrayInputStream(rows))).isEqualTo(20001); // no index to refuse it
            assertThatThrownBy(() -> tgt.finishCopy(t)).isInstanceOf(ApplyException.class)
                    .hasMessageContaining("Line Items PK").hasMessageContaining("(42, 3)");
            tgt.rollback();
            tgt.close();
            assertThat(indexes(check)).isEqualTo(before);
            assertThat(oids(check)).isEqualTo(oidsBefore);
            assertThat(digest(check, TABLE)).isEqualTo(old);
            assertThat(old.rows()).isEqualTo(300);
            // the rows were at fault, not the definitions: the next copy drops the indexes again
            try (Connection c2 = server.connect(db)) {
                PostgresTarget again = new PostgresTarget(db, c2, ReplicaMode.SET_ROLE);
                again.begin();
                assertThat(again.emptyForCopy(t, "truncate").rebuilt()).isPositive();
                again.rollback();
            }
            assertThat(oids(check)).isEqualTo(oidsBefore);
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0} target")
    @ValueSource(strings = {"17", "9.6"})
    void aKilledConnectionAfterTheDropLeavesTheTableWithItsIndexesAndOldRows(String version) throws Exception {
        PostgresServer server = server(version);
        String db = database(server);
        try (Connection check = server.connect(db); Connection c = server.connect(db)) {
            List<String> before = indexes(check);
            Map<String, Long> oidsBefore = oids(check);
            TableDigest.Digest old = digest(check, TABLE);
            byte[] rows = stage(check, "");
            PostgresTarget tgt = new PostgresTarget(db, c, ReplicaMode.SET_ROLE);
            TableInfo t = info(c);
            long pid = Pg.queryLong(c, "SELECT pg_backend_pid()");
            c.commit();
            tgt.begin();
            assertThat(tgt.emptyForCopy(t, "truncate").rebuilt()).isPositive();
            assertThat(tgt.insertRows(t, new ByteArrayInputStream(rows))).isEqualTo(20000);
            assertThat(Pg.queryLong(check, "SELECT count(*) FROM pg_index WHERE indrelid = '\"Shop\".\"Line Items\"'::regclass"))
                    .as("the drops are not visible outside the copy's transaction").isEqualTo(oidsBefore.size());
            assertThat(Pg.exists(check, "SELECT pg_terminate_backend(" + pid + ")")).isTrue();
            assertThatThrownBy(() -> tgt.finishCopy(t)).isInstanceOf(ApplyException.class);
            tgt.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (Pg.exists(check, "SELECT 1 FROM pg_stat_activity WHERE pid = " + pid) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(indexes(check)).isEqualTo(before);
            assertThat(oids(check)).isEqualTo(oidsBefore);
            assertThat(digest(check, TABLE)).isEqualTo(old);
        }
    }

    @Test
    void aTableWithRowsAndDeletemethodDeleteKeepsItsIndexes() throws Exception {
        PostgresServer server = server("17");
        String db = database(server);
        try (Connection check = server.connect(db); Connection c = server.connect(db)) {
            Map<String, Long> oidsBefore = oids(check);
            PostgresTarget tgt = new PostgresTarget(db, c, ReplicaMode.SET_ROLE);
            TableInfo t = info(c);
            tgt.begin();
            CopyPath path = tgt.emptyForCopy(t, "delete");
            assertThat(path.rebuilt()).isZero();
            assertThat(path.why()).contains("the table has rows");
            tgt.insertRows(t, new ByteArrayInputStream(stage(check, "")));
            assertThat(tgt.finishCopy(t)).isEmpty();
            tgt.commit();
            tgt.close();
            assertThat(oids(check)).isEqualTo(oidsBefore);
            assertThat(digest(check, TABLE)).isEqualTo(digest(check, "stage"));
        }
    }

    /**
     * Through the daemon: onetimecopy (deletemethod delete, rebuild_index=1) of an empty table rebuilds its indexes,
     * a table referenced by a foreign key keeps them, the referencing table is rebuilt; then again (deletemethod
     * truncate) with a target role that may write the tables but does not own them: every index kept. Content
     * compared each time.
     */
    @Test
    void throughTheDaemonReferencedAndNotOwnedTablesKeepTheirIndexes() throws Exception {
        PostgresServer server = server("17");
        String parentChild = "CREATE TABLE parent (id int PRIMARY KEY, name text UNIQUE);"
                + "CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent, v text);"
                + "CREATE INDEX child_parent ON child (parent_id)";
        String[] tables = {"\"Shop\".\"Line Items\"", "public.parent", "public.child"};
        try (Replication r = new Replication(server, server)) {
            try (Connection s = r.source(); var st = s.createStatement()) {
                for (String sql : ddl(170000)) {
                    st.execute(sql);
                }
                st.execute(parentChild);
                st.execute("INSERT INTO \"Shop\".\"Line Items\" " + ROWS);
                st.execute("INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 1000) g");
                st.execute("INSERT INTO child SELECT g, g % 1000 + 1, 'c' FROM generate_series(1, 5000) g");
            }
            Map<String, Map<String, Long>> before = new LinkedHashMap<>();
            List<String> lineItemsBefore;
            try (Connection t = r.target(); var st = t.createStatement()) {
                for (String sql : ddl(170000)) {
                    st.execute(sql);
                }
                st.execute(parentChild);
                lineItemsBefore = indexes(t);
                for (String table : List.of("Line Items", "parent", "child")) {
                    before.put(table, tableIndexOids(t, table));
                }
            }
            r.addDatabases();
            r.ibex.addTables(List.of("\"Shop\".\"Line Items\"", "public.parent", "public.child"), Map.of("db", "source", "relgroup", "rg"), false);
            r.ibex.addSync("s", Map.of("relgroup", "rg", "db", "source,target", "onetimecopy", "1", "rebuild_index", "1"));
            r.startDaemon();
            r.awaitConverged(Duration.ofSeconds(60), tables);
            awaitCopied(r);
            try (Connection t = r.target()) {
                assertThat(indexes(t)).isEqualTo(lineItemsBefore);
                Map<String, Long> after = tableIndexOids(t, "Line Items");
                assertThat(after.keySet()).isEqualTo(before.get("Line Items").keySet());
                assertRebuiltAllBut(before.get("Line Items"), after, "stats");
                assertThat(tableIndexOids(t, "parent")).as("referenced by a foreign key: kept").isEqualTo(before.get("parent"));
                Map<String, Long> child = tableIndexOids(t, "child");
                assertThat(child.keySet()).isEqualTo(before.get("child").keySet());
                child.forEach((name, oid) -> assertThat(oid).as(name).isNotEqualTo(before.get("child").get(name)));
                assertThat(Pg.queryString(t, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f'"))
                        .isEqualTo("FOREIGN KEY (parent_id) REFERENCES parent(id)");
            }
            r.stopDaemon();

            // again, as a role that may write the tables but does not own them
            try (Connection t = r.target(); var st = t.createStatement()) {
                st.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'copy_writer') THEN"
                        + " CREATE ROLE copy_writer LOGIN; END IF; END $$");
                st.execute("GRANT SET ON PARAMETER session_replication_role TO copy_writer");
                st.execute("GRANT USAGE ON SCHEMA \"Shop\" TO copy_writer");
                st.execute("GRANT SELECT, INSERT, DELETE, TRUNCATE ON \"Shop\".\"Line Items\", parent, child TO copy_writer");
                st.execute("GRANT TEMPORARY ON DATABASE " + r.targetDb + " TO copy_writer");
                for (String table : List.of("Line Items", "parent", "child")) {
                    before.put(table, tableIndexOids(t, table));
                }
            }
            Map<String, String> p = new LinkedHashMap<>(Replication.dbParams(server, r.targetDb));
            p.put("dbuser", "copy_writer");
            r.ibex.update("db", "target", p);
            r.execSource("UPDATE \"Shop\".\"Line Items\" SET note = 'again' WHERE line = 4", "DELETE FROM child WHERE id > 4000");
            // deletemethod truncate: the tables have rows now (with delete, a table with rows keeps its indexes anyway)
            r.ibex.update("sync", "s", Map.of("onetimecopy", "1", "deletemethod", "truncate", "rebuild_index", "0")); // REINDEX needs the owner
            r.startDaemon();
            awaitCopied(r);
            r.awaitConverged(Duration.ofSeconds(60), tables);
            try (Connection t = r.target()) {
                for (String table : List.of("Line Items", "parent", "child")) {
                    assertThat(tableIndexOids(t, table)).as("not owned: %s kept its indexes", table).isEqualTo(before.get(table));
                }
                assertThat(indexes(t)).isEqualTo(lineItemsBefore);
            }
        }
    }

    /** Every index has a new OID (it was built again) except the one named, which kept its OID. */
    static void assertRebuiltAllBut(Map<String, Long> before, Map<String, Long> after, String kept) {
        assertThat(after.keySet()).isEqualTo(before.keySet());
        after.forEach((name, oid) -> {
            if (name.equals(kept)) {
                assertThat(oid).as("%s kept", name).isEqualTo(before.get(name));
            } else {
                assertThat(oid).as("%s rebuilt", name).isNotEqualTo(before.get(name));
            }
        });
    }

    static Map<String, Long> tableIndexOids(Connection c, String table) throws Exception {
        Map<String, Long> m = new LinkedHashMap<>();
        String qualified = table.equals(TABLE) ? "\"Shop\".\"Line Items\"" : table;
        for (String[] r : Pg.query(c, "SELECT ic.relname, ic.oid::text FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " WHERE i.indrelid = ?::regclass ORDER BY 1", rs -> new String[] {rs.getString(1), rs.getString(2)}, qualified)) {
            m.put(r[0], Long.parseLong(r[1]));
        }
        return m;
    }

    /** Waits until the sync's onetimecopy is recorded as done (reset to 0). */
    static void awaitCopied(Replication r) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (r.ibex.syncs().get(0).onetimecopy() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(r.ibex.syncs().get(0).onetimecopy()).isZero();
    }
}
