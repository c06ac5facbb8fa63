package io.ibex.it;

import io.ibex.api.TargetSchema;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Replication;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * create_tables: an onetimecopy (and a fullcopy) into an empty PostgreSQL 17 database creates the tables from the
 * source's catalog on 9.3, 9.6 and 17 (common column types, serial and identity columns, composite keys, checks,
 * partial and expression indexes, foreign keys, comments, a table without a primary key), then copies the rows and
 * follows the changes; ibex copy schema --dry-run prints the same statements.
 */
@ExtendWith(ServersPerClass.class)
class CreateTablesTest {

    @Server("17") static PostgresServer target;

    static final String[] TABLES = {"shop.customer", "shop.line", "shop.ticket"};

    @ParameterizedTest(name = "PostgreSQL {0} to an empty 17")
    @ValueSource(strings = {"9.3", "9.6", "17"})
    void onetimecopyCreatesTheTablesFromTheSourceCatalog(String version) throws Exception {
        boolean modern = !version.startsWith("9");
        try (PostgresServer source = version.equals("17") ? PostgresServer.start("17") : PostgresServer.start(version);
             Replication r = new Replication(source, target)) {
            r.execSource("CREATE SCHEMA shop",
                    "CREATE TABLE shop.customer (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name varchar(80) DEFAULT 'anon', "
                            + "created timestamptz NOT NULL DEFAULT now(), score numeric(10,2) CHECK (score >= 0), tags text[], "
                            + "data json, big bigint, small smallint, r real, d double precision, day date, t time, ts timestamp(3), "
                            + "iv interval, b bytea, u uuid, ip inet, ch char(3), ok boolean NOT NULL DEFAULT true)",
                    "COMMENT ON TABLE shop.customer IS 'people who buy'",
                    "COMMENT ON COLUMN shop.customer.email IS 'where we write'",
                    "CREATE INDEX customer_lower_email ON shop.customer (lower(email))",
                    "CREATE INDEX customer_big_partial ON shop.customer (big) WHERE big > 100",
                    "CREATE TABLE shop.line (order_id int NOT NULL, line_no int NOT NULL, customer_id int NOT NULL "
                            + "REFERENCES shop.customer (id), qty int NOT NULL CHECK (qty > 0), PRIMARY KEY (order_id, line_no))",
                    "CREATE INDEX line_customer ON shop.line (customer_id)",
                    modern ? "CREATE TABLE shop.ticket (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, qty int, "
                            + "twice int GENERATED ALWAYS AS (qty * 2) STORED)"
                            : "CREATE TABLE shop.ticket (id bigserial PRIMARY KEY, qty int)",
                    "CREATE TABLE shop.history (at timestamp, msg text)",
                    "INSERT INTO shop.customer (email, name, score, tags, data, big, small, r, d, day, t, ts, iv, b, u, ip, ch) "
                            + "SELECT 'c' || g || '@x.org', CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END, g / 7.0, ARRAY['a', 'b' || g], "
                            + "('{\"k\": ' || g || '}')::json, g * 1000, g % 100, g / 3.0, g / 9.0, date '2020-01-01' + g, time '10:00' + g * interval '1 s', "
                            + "timestamp '2021-01-01 00:00:00.123' + g * interval '1 min', g * interval '1 h', decode(md5(g::text), 'hex'), "
                            + "md5(g::text)::uuid, ('10.0.' || (g % 250) || '.1')::inet, 'x' || (g % 10) FROM generate_series(1, 2000) g",
                    "INSERT INTO shop.line SELECT g / 3, g % 3, 1 + g % 2000, 1 + g % 5 FROM generate_series(1, 6000) g",
                    "INSERT INTO shop.ticket (qty) SELECT g FROM generate_series(1, 500) g",
                    "INSERT INTO shop.history SELECT now(), 'm' || g FROM generate_series(1, 300) g");
            r.addDatabases();
            r.ibex.addTables(List.of("customer", "line", "ticket", "history"), Map.of("db", "source", "relgroup", "shop"), false);
            r.ibex.remove("table", "shop.history", true);
            r.ibex.addSync("migrate", Map.of("relgroup", "shop", "db", "source,target", "onetimecopy", "1"));
            r.ibex.addTables(List.of("history"), Map.of("db", "source", "relgroup", "nopk"), false);
            r.ibex.addDbGroup("copygroup", List.of("source:source", "target:fullcopy"));
            r.ibex.addSync("logs", Map.of("relgroup", "nopk", "dbs", "copygroup"));

            List<TargetSchema> dry = r.ibex.copySchema("migrate", true);
            assertThat(dry).singleElement().satisfies(t -> {
                assertThat(t.tables()).isEqualTo(3);
                assertThat(String.join("\n", t.statements())).contains("CREATE TABLE \"shop\".\"customer\"", "customer_big_partial",
                        "WHERE (big > 100)", "lower(email)", "FOREIGN KEY (customer_id) REFERENCES shop.customer(id)", "CHECK ((qty > 0))");
            });
            assertThat(tableCount(r)).as("dry-run creates nothing").isZero();

            r.startDaemon();
            r.execSource("UPDATE shop.customer SET name = 'changed' WHERE id % 10 = 0", "DELETE FROM shop.line WHERE qty = 5",
                    "INSERT INTO shop.ticket (qty) VALUES (1000)", "INSERT INTO shop.customer (email) VALUES ('late@x.org')");
            r.awaitConverged(Duration.ofSeconds(90), TABLES);
            var kick = r.ibex.kick("logs");
            assertThat(r.ibex.awaitRun("logs", kick, Duration.ofSeconds(60), d -> { })).isEqualTo(io.ibex.api.Ibex.KickOutcome.DONE);
            r.awaitConverged(Duration.ofSeconds(30), "shop.history");
            assertThat(r.count(false, "shop.line")).isEqualTo(r.count(true, "shop.line")).isGreaterThan(4000);
            assertThat(r.count(false, "shop.history")).isEqualTo(300);
            // the copy's progress: rows and bytes of each table, and its end
            assertThat(r.ibex.copyProgress("migrate")).hasSize(3).allSatisfy(p -> {
                assertThat(p.finished()).isNotNull();
                assertThat(p.bytesCopied()).isPositive();
                assertThat(p.bytesEstimated()).isPositive();
            }).filteredOn(p -> p.table().equals("shop.line")).singleElement().satisfies(p -> assertThat(p.rowsCopied()).isBetween(4800L, 6000L));

            // the definitions came across: keys, indexes, checks, foreign keys after the rows, comments, sequences
            assertThat(definitions(r, false)).isEqualTo(definitions(r, true));
            assertThat(query(r, "SELECT obj_description('shop.customer'::regclass, 'pg_class') || '/' "
                    + "|| col_description('shop.customer'::regclass, 2)")).containsExactly("people who buy/where we write");
            r.execTarget("INSERT INTO shop.customer (email) VALUES ('after-cutover@x.org')");
            assertThat(query(r, "SELECT (max(id) > 2001)::text FROM shop.customer")).containsExactly("true");
        }
    }

    private static long tableCount(Replication r) throws Exception {
        return query(r, "SELECT count(*) FROM pg_tables WHERE schemaname = 'shop'").stream().mapToLong(Long::parseLong).sum();
    }

    /** The indexes, constraints and column defaults of schema shop, as text the two sides can be compared by. */
    private static List<String> definitions(Replication r, boolean source) throws Exception {
        List<String> out = new ArrayList<>();
        String sql = "SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'shop' UNION ALL "
                + "SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_namespace n "
                + "ON n.oid = k.connamespace WHERE n.nspname = 'shop' AND k.contype <> 'n' UNION ALL "
                + "SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull "
                + "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = 'shop' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1";
        try (Connection c = source ? r.source() : r.target(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static List<String> query(Replication r, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = r.target(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
