package io.ibex.capture;

import io.ibex.model.SessionNames;
import io.ibex.catalog.SourceCatalog;
import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.db.Sql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What ibex installs on a source database, in schema {@value #SCHEMA}: per replicated table a change table, a
 * trigger that records the key of every changed row and a truncate trigger. Both also advance the sequence
 * {@value #ACTIVITY}, which the daemon polls to learn that something changed. (A NOTIFY would do the same, but
 * PostgreSQL serializes the commits of all notifying transactions behind one lock, WAL flush included, which cost
 * a third of the source's throughput.) The trigger functions are SECURITY DEFINER, with every name in them qualified, so an
 * application role needs no privilege on {@value #SCHEMA}. All SQL here runs on PostgreSQL 8.4 and later: no IF NOT
 * EXISTS, no format(), no DO blocks. The caller owns the transaction.
 * <p>Longer than ~400 lines because it is the SQL of the capture, both generations of it (row triggers before 10,
 * statement triggers with transition tables from 10) side by side: read together, a change to one shows what the other needs.
 */
public final class CaptureInstaller {

    public static final String SCHEMA = "ibex_capture";
    /** The sequence every capture trigger advances: the daemon polls its last_value (see engine.SourceWatcher). */
    public static final String ACTIVITY = SCHEMA + ".activity";
    /** An assignment, not PERFORM: PL/pgSQL evaluates it as a simple expression, without a query of its own. */
    private static final String BUMP = "ibex_bump := pg_catalog.nextval('" + ACTIVITY + "');";
    /** Big statements' keys are recorded in arrays from this major version on (statement triggers, multi-argument unnest). */
    static final int BULK_SINCE_MAJOR = 10;
    /** A statement of at least this many rows records its keys in arrays, in chunks of {@link #BULK_CHUNK}. */
    static final int BULK_MIN_ROWS = 100;
    static final int BULK_CHUNK = 65536;
    /** The column of a bulk change row with the number of keys in its arrays (null in a one-key row). */
    static final String BULK_ROWS = "ibex_rows";

    /** The array column of a bulk change row that holds the i-th key column's values (from 1). */
    static String bulkColumn(int i) {
        return "ibex_keys_" + i;
    }

    /**
     * ibex's own sessions start their application_name with this, and register their pid (see {@link OwnSessions}):
     * the triggers leave the changes of sessions with both alone.
     */
    public static final String APPLICATION_PREFIX = SessionNames.APPLICATION_PREFIX;

    /** Whether the session calls itself one of ibex's, fully qualified (see functionStart); a simple expression, cheap in PL/pgSQL. */
    private static final String OWN_NAME = "pg_catalog.substr(pg_catalog.current_setting('application_name'), 1, 5) OPERATOR(pg_catalog.=) '"
            + APPLICATION_PREFIX + "'";

    private CaptureInstaller() {
    }

    /** The names of the objects that capture one table. */
    public record Names(String deltaTable, String function) {
        public String qualifiedDelta() {
            return Sql.qualified(SCHEMA, deltaTable);
        }
    }

    public static Names names(String schema, String table) {
        String base = (schema + "_" + table).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (base.length() > 40) {
            base = base.substring(0, 40);
        }
        String hash = md5(schema + "." + table).substring(0, 8);
        return new Names("d_" + base + "_" + hash, "f_" + base + "_" + hash);
    }

    /** Schema, catalog table, truncate log and kick functions; each only if missing. */
    public static void ensureInfrastructure(Connection c) throws SQLException {
        if (!Pg.exists(c, "SELECT 1 FROM pg_language WHERE lanname = 'plpgsql'")) {
            Pg.exec(c, "CREATE LANGUAGE plpgsql");
        }
        if (!Pg.exists(c, "SELECT 1 FROM pg_namespace WHERE nspname = ?", SCHEMA)) {
            Pg.exec(c, "CREATE SCHEMA " + SCHEMA);
        }
        if (!tableExists(c, "captured")) {
            Pg.exec(c, "CREATE TABLE " + SCHEMA + ".captured (schemaname text NOT NULL, relname text NOT NULL, "
                    + "delta_table text NOT NULL, key_columns text[] NOT NULL, makedelta boolean NOT NULL DEFAULT false, "
                    + "installed timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (schemaname, relname))");
        }
        if (!tableExists(c, "truncated")) {
            Pg.exec(c, "CREATE TABLE " + SCHEMA + ".truncated (schemaname text NOT NULL, relname text NOT NULL, "
                    + "txid bigint NOT NULL DEFAULT txid_current(), changed_at timestamptz NOT NULL DEFAULT clock_timestamp(), "
                    + "origin text)");
            Pg.exec(c, "CREATE INDEX truncated_txid ON " + SCHEMA + ".truncated (txid)");
        }
        if (!Pg.exists(c, "SELECT 1 FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace "
                + "WHERE n.nspname = ? AND r.relname = 'activity' AND r.relkind = 'S'", SCHEMA)) {
            Pg.exec(c, "CREATE SEQUENCE " + ACTIVITY);
        }
        if (!tableExists(c, "sessions")) {
            OwnSessions.create(c);
        }
    }

    private static boolean tableExists(Connection c, String name) throws SQLException {
        return Pg.exists(c, "SELECT 1 FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace "
                + "WHERE n.nspname = ? AND r.relname = ?", SCHEMA, name);
    }

    public static boolean isCaptured(Connection c, String schema, String table) throws SQLException {
        return tableExists(c, "captured")
                && Pg.exists(c, "SELECT 1 FROM " + SCHEMA + ".captured WHERE schemaname = ? AND relname = ?", schema, table);
    }

    /** The triggers ibex may have on a captured table (row-level before 10, statement-level with transition tables after). */
    static final List<String> TRIGGERS = List.of("ibex_capture", "ibex_capture_ins", "ibex_capture_upd", "ibex_capture_key", "ibex_capture_del",
            "ibex_truncate", "ibex_kick");

    /**
     * Installs capture on one table, or rewrites its triggers if it is installed already (makedelta may have
     * changed). With makedelta, rows that ibex itself applies are recorded too (with their origin), so that
     * another sync can carry them further (A to B to C). On PostgreSQL 10 and later the keys are recorded by
     * statement-level triggers that read the transition tables, one INSERT ... SELECT per statement instead of one
     * function call per row; before 10, by a row trigger. Returns whether the table was not captured before.
     */
    public static boolean install(Connection c, TableInfo t, boolean makedelta) throws SQLException {
        ensureInfrastructure(c);
        Names n = names(t.schema(), t.name());
        String table = Sql.qualified(t.schema(), t.name());
        String function = Sql.qualified(SCHEMA, n.function()) + "()";
        boolean installed = isCaptured(c, t.schema(), t.name());
        boolean transitionTables = Pg.serverVersion(c) >= BULK_SINCE_MAJOR * 10000;
        boolean bulk = transitionTables && bulkCapable(c, t);
        if (!installed) {
            List<String> cols = new ArrayList<>();
            for (int i = 0; i < t.keyColumns().size(); i++) {
                cols.add(Sql.ident(t.keyColumns().get(i)) + " " + t.keyTypes().get(i));
            }
            if (bulk) {
                cols.addAll(bulkColumns(t));
            }
            Pg.exec(c, "CREATE TABLE " + n.qualifiedDelta() + " (" + String.join(", ", cols)
                    + ", ibex_txid bigint NOT NULL DEFAULT txid_current(), ibex_changed timestamptz NOT NULL DEFAULT clock_timestamp(), "
                    + "ibex_origin text)");
            Pg.exec(c, "CREATE INDEX " + Sql.ident(n.deltaTable() + "_txid") + " ON " + n.qualifiedDelta() + " (ibex_txid)");
            Pg.update(c, "INSERT INTO " + SCHEMA + ".captured (schemaname, relname, delta_table, key_columns, makedelta) "
                    + "VALUES (?, ?, ?, ?, ?)", t.schema(), t.name(), n.deltaTable(), c.createArrayOf("text", t.keyColumns().toArray()), makedelta);
        } else {
            Pg.update(c, "UPDATE " + SCHEMA + ".captured SET makedelta = ? WHERE schemaname = ? AND relname = ?", makedelta, t.schema(), t.name());
            if (bulk && !hasBulkColumns(c, n.qualifiedDelta())) {
                for (String col : bulkColumns(t)) { // a change table made by an ibex without bulk rows
                    Pg.exec(c, "ALTER TABLE " + n.qualifiedDelta() + " ADD COLUMN " + col);
                }
            }
        }
        dropTriggers(c, t.schema(), t.name());
        List<String> equality = equalityOperators(c, t);
        Pg.exec(c, transitionTables ? statementFunctionSql(t, n, makedelta, bulk) : functionSql(t, n, makedelta, equality));
        List<String> capture = new ArrayList<>();
        if (transitionTables) {
            Pg.exec(c, "CREATE TRIGGER ibex_capture_ins AFTER INSERT ON " + table
                    + " REFERENCING NEW TABLE AS ibex_new FOR EACH STATEMENT EXECUTE PROCEDURE " + function);
            Pg.exec(c, "CREATE TRIGGER ibex_capture_upd AFTER UPDATE ON " + table
                    + " REFERENCING OLD TABLE AS ibex_old FOR EACH STATEMENT EXECUTE PROCEDURE " + function);
            createKeyTrigger(c, t, equality, !hasBeforeUpdateTrigger(c, t));
            Pg.exec(c, "CREATE TRIGGER ibex_capture_del AFTER DELETE ON " + table
                    + " REFERENCING OLD TABLE AS ibex_old FOR EACH STATEMENT EXECUTE PROCEDURE " + function);
            capture.addAll(List.of("ibex_capture_ins", "ibex_capture_upd", "ibex_capture_key", "ibex_capture_del"));
        } else {
            Pg.exec(c, "CREATE TRIGGER ibex_capture AFTER INSERT OR UPDATE OR DELETE ON " + table
                    + " FOR EACH ROW EXECUTE PROCEDURE " + function);
            capture.add("ibex_capture");
        }
        Pg.exec(c, "CREATE TRIGGER ibex_truncate AFTER TRUNCATE ON " + table + " FOR EACH STATEMENT EXECUTE PROCEDURE " + function);
        capture.add("ibex_truncate");
        // ALWAYS: capture still fires under session_replication_role = replica, where it skips ibex's own writes
        // unless makedelta asks for them.
        for (String trigger : capture) {
            Pg.exec(c, "ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + trigger);
        }
        return !installed;
    }

    /**
     * The row trigger that records the new key of a row whose key changed. Key changes are rare: a row trigger
     * filtered by WHEN costs an ordinary UPDATE less than keeping every new row in a transition table and
     * anti-joining the two. With ofKeyColumns it is an UPDATE OF the key columns, which PostgreSQL skips, WHEN and
     * all, for an UPDATE that does not set a key column (a third of the capture's cost of a one-row UPDATE,
     * measured). That misses one kind of key change only: one made by a BEFORE UPDATE row trigger, so a table with
     * such a trigger gets the trigger on every UPDATE (see {@link #keyTriggerMissesChanges}).
     */
    private static void createKeyTrigger(Connection c, TableInfo t, List<String> equality, boolean ofKeyColumns) throws SQLException {
        Names n = names(t.schema(), t.name());
        String table = Sql.qualified(t.schema(), t.name());
        Pg.exec(c, "CREATE TRIGGER ibex_capture_key AFTER UPDATE" + (ofKeyColumns ? " OF " + Sql.idents(t.keyColumns()) : "") + " ON " + table
                + " FOR EACH ROW WHEN (" + keyChanged(t, equality) + ") EXECUTE PROCEDURE " + Sql.qualified(SCHEMA, n.function()) + "()");
    }

    /** Whether the table has a BEFORE UPDATE row trigger other than ibex's (one could change a key the UPDATE did not set). */
    static boolean hasBeforeUpdateTrigger(Connection c, TableInfo t) throws SQLException {
        // tgtype bits: 1 row, 2 before, 16 update
        return Pg.exists(c, "SELECT 1 FROM pg_trigger WHERE tgrelid = " + Sql.literal(Sql.qualified(t.schema(), t.name()))
                + "::regclass AND NOT tgisinternal AND tgtype & 19 = 19 AND NOT (tgname = ANY (?))", c.createArrayOf("text", TRIGGERS.toArray()));
    }

    /**
     * Whether the key trigger is an UPDATE OF the key columns while the table now has a BEFORE UPDATE row trigger
     * (added after capture was installed): such a trigger can change a key the UPDATE did not set, and that change
     * would not be recorded.
     */
    public static boolean keyTriggerMissesChanges(Connection c, TableInfo t) throws SQLException {
        return Pg.exists(c, "SELECT 1 FROM pg_trigger WHERE tgrelid = " + Sql.literal(Sql.qualified(t.schema(), t.name()))
                + "::regclass AND tgname = 'ibex_capture_key' AND pg_catalog.array_length(tgattr, 1) > 0") && hasBeforeUpdateTrigger(c, t);
    }

    /** Makes the key trigger fire on every UPDATE (see keyTriggerMissesChanges); the caller owns the transaction. */
    public static void widenKeyTrigger(Connection c, TableInfo t) throws SQLException {
        String table = Sql.qualified(t.schema(), t.name());
        Pg.exec(c, "DROP TRIGGER ibex_capture_key ON " + table);
        createKeyTrigger(c, t, equalityOperators(c, t), false);
        Pg.exec(c, "ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER ibex_capture_key");
    }

    private static void dropTriggers(Connection c, String schema, String table) throws SQLException {
        List<String> present = Pg.query(c, "SELECT tgname FROM pg_trigger WHERE tgrelid = (SELECT r.oid FROM pg_class r JOIN pg_namespace s "
                + "ON s.oid = r.relnamespace WHERE s.nspname = ? AND r.relname = ?)", rs -> rs.getString(1), schema, table);
        for (String trigger : TRIGGERS) {
            if (present.contains(trigger)) {
                Pg.exec(c, "DROP TRIGGER " + trigger + " ON " + Sql.qualified(schema, table));
            }
        }
    }

    /** One trigger function serves the row trigger (key changes) and the truncate trigger. */
    static String functionSql(TableInfo t, Names n, boolean makedelta, List<String> equality) {
        String delta = n.qualifiedDelta();
        String keys = Sql.idents(t.keyColumns());
        String origin = origin(makedelta);
        StringBuilder s = functionStart(t, n, makedelta);
        s.append("  IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN\n")
                .append("    INSERT INTO ").append(SCHEMA).append(".truncated (schemaname, relname, origin) VALUES (")
                .append(Sql.literal(t.schema())).append(", ").append(Sql.literal(t.name())).append(", ").append(origin).append(");\n")
                .append("    " + BUMP + "\n    RETURN NULL;\n  END IF;\n");
        s.append("  IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN\n")
                .append("    INSERT INTO ").append(delta).append(" (").append(keys).append(", ibex_origin) VALUES (")
                .append(Sql.idents("NEW.", t.keyColumns())).append(", ").append(origin).append(");\n")
                .append("    " + BUMP + "\n    RETURN NULL;\n  END IF;\n");
        s.append("  INSERT INTO ").append(delta).append(" (").append(keys).append(", ibex_origin) VALUES (")
                .append(Sql.idents("OLD.", t.keyColumns())).append(", ").append(origin).append(");\n");
        s.append("  IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' AND (");
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < t.keyColumns().size(); i++) {
            String k = Sql.ident(t.keyColumns().get(i));
            changed.add("NOT (NEW." + k + " OPERATOR(" + equality.get(i) + ") OLD." + k + ")"); // keys are NOT NULL
        }
        s.append(String.join(" OR ", changed)).append(") THEN\n")
                .append("    INSERT INTO ").append(delta).append(" (").append(keys).append(", ibex_origin) VALUES (")
                .append(Sql.idents("NEW.", t.keyColumns())).append(", ").append(origin).append(");\n")
                .append("  END IF;\n  " + BUMP + "\n  RETURN NULL;\nEND\n$f$");
        return s.toString();
    }

    /**
     * The statement-level function (10+): the keys of a whole statement in one INSERT ... SELECT per transition
     * table. With bulk, a statement of at least {@value #BULK_MIN_ROWS} rows also records all its keys in arrays, one
     * change row per {@value #BULK_CHUNK} keys, after its first {@value #BULK_MIN_ROWS} one a row: a whole-table
     * UPDATE then writes a few rows to the change table instead of one row and one index entry per changed row,
     * while a small statement costs one INSERT. (Arrays for every statement would cost a small one more, measured.)
     */
    static String statementFunctionSql(TableInfo t, Names n, boolean makedelta, boolean bulk) {
        String delta = n.qualifiedDelta();
        String keys = Sql.idents(t.keyColumns());
        String origin = origin(makedelta);
        StringBuilder s = functionStart(t, n, makedelta);
        // the row trigger ibex_capture_key: a row whose key changed, its new key (the old one is in ibex_old)
        s.append("  IF TG_LEVEL OPERATOR(pg_catalog.=) 'ROW' THEN\n")
                .append("    INSERT INTO ").append(delta).append(" (").append(keys).append(", ibex_origin) VALUES (")
                .append(Sql.idents("NEW.", t.keyColumns())).append(", ").append(origin).append(");\n")
                .append("    " + BUMP + "\n    RETURN NULL;\n  END IF;\n");
        s.append("  IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN\n")
                .append("    INSERT INTO ").append(SCHEMA).append(".truncated (schemaname, relname, origin) VALUES (")
                .append(Sql.literal(t.schema())).append(", ").append(Sql.literal(t.name())).append(", ").append(origin).append(");\n")
                .append("  ELSIF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN\n")
                .append(recordKeys(t, delta, origin, "ibex_new", bulk))
                .append("  ELSE\n") // DELETE and UPDATE: the old keys
                .append(recordKeys(t, delta, origin, "ibex_old", bulk))
                .append("  END IF;\n  " + BUMP + "\n  RETURN NULL;\nEND\n$f$");
        return s.toString();
    }

    /** The statements that record the keys of a transition table: one row per key, or arrays for a big statement. */
    private static String recordKeys(TableInfo t, String delta, String origin, String transition, boolean bulk) {
        String keys = Sql.idents(t.keyColumns());
        String perKey = "INSERT INTO " + delta + " (" + keys + ", ibex_origin) SELECT " + keys + ", " + origin + " FROM " + transition;
        if (!bulk) {
            return "    " + perKey + ";\n";
        }
        List<String> arrays = new ArrayList<>();
        List<String> aggregates = new ArrayList<>();
        for (int i = 0; i < t.keyColumns().size(); i++) {
            arrays.add(bulkColumn(i + 1));
            aggregates.add("pg_catalog.array_agg(" + Sql.ident(t.keyColumns().get(i)) + ")");
        }
        // the first keys one a row, with a LIMIT: a small statement (the common case) costs one query, where a test
        // of its size first would cost two. A statement of BULK_MIN_ROWS or more then has all its keys in arrays
        // too (the first ones recorded twice; the reader's DISTINCT makes that harmless).
        return "    " + perKey + " LIMIT " + BULK_MIN_ROWS + ";\n"
                + "    GET DIAGNOSTICS ibex_n = ROW_COUNT;\n"
                + "    IF ibex_n OPERATOR(pg_catalog.=) " + BULK_MIN_ROWS + " THEN\n"
                + "      INSERT INTO " + delta + " (" + String.join(", ", arrays) + ", " + BULK_ROWS + ", ibex_origin) SELECT "
                + String.join(", ", aggregates) + ", pg_catalog.count(*), " + origin + " FROM (SELECT " + keys
                + ", (pg_catalog.row_number() OVER ()) OPERATOR(pg_catalog./) " + BULK_CHUNK + " AS ibex_chunk FROM " + transition
                + ") ibex_k GROUP BY ibex_chunk;\n"
                + "    END IF;\n";
    }

    /** Whether a change table has the columns of bulk change rows (one made by an earlier ibex has not). */
    static boolean hasBulkColumns(Connection c, String qualifiedDelta) throws SQLException {
        return Pg.exists(c, "SELECT 1 FROM pg_attribute WHERE attrelid = " + Sql.literal(qualifiedDelta) + "::regclass AND attname = '"
                + BULK_ROWS + "' AND NOT attisdropped");
    }

    /** The columns of bulk change rows: an array per key column, and the number of keys. */
    private static List<String> bulkColumns(TableInfo t) {
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < t.keyColumns().size(); i++) {
            cols.add(bulkColumn(i + 1) + " " + t.keyTypes().get(i) + "[]");
        }
        cols.add(BULK_ROWS + " integer");
        return cols;
    }

    /**
     * Whether the keys can be recorded in arrays: every key type has an array type (a domain has none before 11)
     * and is not an array itself (array_agg would nest it, and unnest would flatten it).
     */
    static boolean bulkCapable(Connection c, TableInfo t) throws SQLException {
        long ok = Pg.queryLong(c, "SELECT count(*) FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid WHERE a.attrelid = "
                + Sql.literal(Sql.qualified(t.schema(), t.name())) + "::regclass AND a.attname = ANY (?) AND ty.typarray <> 0 AND ty.typcategory <> 'A'",
                c.createArrayOf("text", t.keyColumns().toArray()));
        return ok == t.keyColumns().size();
    }

    /** The WHEN condition of the key-change row trigger: some key column differs (keys are NOT NULL). */
    static String keyChanged(TableInfo t, List<String> equality) {
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < t.keyColumns().size(); i++) {
            String k = Sql.ident(t.keyColumns().get(i));
            changed.add("NOT (OLD." + k + " OPERATOR(" + equality.get(i) + ") NEW." + k + ")");
        }
        return String.join(" OR ", changed);
    }

    /**
     * The qualified equality operator of each key column's type ("pg_catalog.=", or "public.=" for an extension's
     * type such as citext): the trigger body names it exactly, since it runs with the caller's search_path. A type
     * with no operator of its own (varchar, a domain) compares by its base type's, which pg_catalog.= resolves to.
     */
    static List<String> equalityOperators(Connection c, TableInfo t) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String k : t.keyColumns()) {
            String schema = Pg.queryString(c, "SELECT n.nspname FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid "
                    + "JOIN pg_operator o ON o.oprname = '=' AND o.oprleft = ty.oid AND o.oprright = ty.oid "
                    + "JOIN pg_namespace n ON n.oid = o.oprnamespace WHERE a.attrelid = " + Sql.literal(Sql.qualified(t.schema(), t.name()))
                    + "::regclass AND a.attname = ? ORDER BY n.nspname = 'pg_catalog' DESC LIMIT 1", k);
            out.add(Sql.ident(schema == null ? "pg_catalog" : schema) + ".=");
        }
        return out;
    }

    /** What a change row records as its origin: ibex's own session with makedelta (set in functionStart), else nothing (a user's change). */
    private static String origin(boolean makedelta) {
        return makedelta ? "ibex_own" : "NULL";
    }

    /** The head of a capture function: without makedelta it returns at once for ibex's own sessions. */
    private static StringBuilder functionStart(TableInfo t, Names n, boolean makedelta) {
        StringBuilder s = new StringBuilder();
        s.append("CREATE OR REPLACE FUNCTION ").append(Sql.qualified(SCHEMA, n.function()))
                // SECURITY DEFINER: the change tables belong to ibex's source role, not to every application role.
                // Every function and operator in the body is schema-qualified, so a caller's search_path cannot
                // slip its own objects into a function run as that role. (A SET search_path clause would do the
                // same, but it costs about 5% of a TPC-B-like source's throughput.)
                .append("() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $f$\nDECLARE\n  ibex_bump bigint;\n  ibex_n bigint;\n")
                .append("  ibex_own text;\nBEGIN\n");
        // the registry is read only by sessions whose name says ibex: every other session pays for the name test alone
        s.append("  IF ").append(OWN_NAME).append(" THEN\n    IF ").append(OwnSessions.REGISTERED).append(" THEN\n")
                .append(makedelta ? "      ibex_own := pg_catalog.current_setting('application_name');\n" : "      RETURN NULL;\n")
                .append("    END IF;\n  END IF;\n");
        return s;
    }

    /** Removes capture from one table; the change table goes with it. */
    public static void remove(Connection c, String schema, String table) throws SQLException {
        if (!isCaptured(c, schema, table)) {
            return;
        }
        Names n = names(schema, table);
        if (SourceCatalog.relation(c, schema, table).isPresent()) {
            dropTriggers(c, schema, table);
        }
        Pg.exec(c, "DROP FUNCTION " + Sql.qualified(SCHEMA, n.function()) + "()");
        Pg.exec(c, "DROP TABLE " + n.qualifiedDelta());
        Pg.update(c, "DELETE FROM " + SCHEMA + ".truncated WHERE schemaname = ? AND relname = ?", schema, table);
        Pg.update(c, "DELETE FROM " + SCHEMA + ".captured WHERE schemaname = ? AND relname = ?", schema, table);
    }

    /** Drops the whole capture schema once no table is captured any more. */
    public static void removeInfrastructureIfUnused(Connection c) throws SQLException {
        if (Pg.exists(c, "SELECT 1 FROM pg_namespace WHERE nspname = ?", SCHEMA)
                && (!tableExists(c, "captured") || !Pg.exists(c, "SELECT 1 FROM " + SCHEMA + ".captured"))) {
            Pg.exec(c, "DROP SCHEMA " + SCHEMA + " CASCADE");
        }
    }

    static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
