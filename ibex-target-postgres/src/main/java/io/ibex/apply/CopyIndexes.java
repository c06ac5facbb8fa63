package io.ibex.apply;

import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.db.Sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The catalog side of a full copy that loads a table without its indexes and builds them after the rows, as
 * pg_restore does: whether the table qualifies, which of its indexes can be dropped and created again exactly, and
 * the statements that do it. Everything runs in the copy's own target transaction, so an error or a crash leaves the
 * table as it was, indexes included.
 *
 * <p>A table qualifies when it is a plain table, the session's role owns it (or is a member of its owner, as
 * PostgreSQL checks it for DROP INDEX), and no foreign key references it. An index is dropped and rebuilt only when
 * its definition from pg_get_indexdef (what pg_dump uses, on every version) and a few statements restore it exactly:
 * it is valid and ready; it lives in the database's default tablespace (pg_get_indexdef leaves the tablespace out); no
 * column of it has its own statistics target; if it backs a constraint (primary key, unique, exclusion), the
 * constraint has the index's name and is not inherited; no other object depends on it or on its constraint (a view
 * grouping by the primary key, a partitioned table's index), except the constraint's own triggers (deferrable
 * unique); it is not part of an extension. A primary key or unique constraint is added back on the index built from
 * its definition (ADD CONSTRAINT ... USING INDEX, 9.1+), because pg_get_constraintdef leaves out the index's WITH
 * options; an exclusion constraint from pg_get_constraintdef, which has them. The index's comment, its constraint's
 * comment, the CLUSTER mark and the REPLICA IDENTITY use are restored. Other indexes stay and are filled row by row.
 *
 * <p>The builds use the server's maintenance_work_mem, as pg_restore's do: raising it (SET LOCAL 256MB instead of the
 * default 64MB) did not make them faster on PostgreSQL 15 (a primary key over 1M and 5M integers, and over 3M text
 * keys, 1.0-4.6 s either way: the sort spills to disk cheaply and the build is parallel), so ibex leaves it alone.
 */
final class CopyIndexes {

    /** How long a copy with deletemethod=delete waits for its exclusive lock before it keeps the indexes instead. */
    static final String LOCK_TIMEOUT = "10s";

    /** Tables (by target database and table) whose indexes could not be built again after a copy, and the error. */
    private static final Map<String, String> FAILED = new ConcurrentHashMap<>();

    private CopyIndexes() {
    }

    /**
     * Remembers, for the life of this process, that building a table's indexes again failed, so that its next copies
     * keep them; not when the rows (class 23: a duplicate key), the connection or the server (08, 57, 53, 40) failed.
     */
    static void failed(String database, String table, String error, String sqlState) {
        if (sqlState == null || sqlState.length() < 2 || List.of("23", "08", "57", "53", "40").contains(sqlState.substring(0, 2))) {
            return;
        }
        FAILED.put(database + "\u0000" + table, error);
    }

    /** Why the table keeps its indexes because building them again failed before in this process, or null. */
    static String failedBefore(String database, String table) {
        String error = FAILED.get(database + "\u0000" + table);
        return error == null ? null : "building them again after an earlier copy failed (" + error + ")";
    }

    /** One index set aside: the statements that build it again and restore what went with it. */
    record Index(String name, List<String> create) {
    }

    /** Why the table keeps its indexes, or null if it qualifies (checked again under the lock). */
    static String tableKept(Connection c, TableInfo t) throws SQLException {
        List<String[]> rows = Pg.query(c, "SELECT c.relkind::text, pg_has_role(c.relowner, 'USAGE')::text,"
                + " EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = c.oid)::text"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?",
                rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}, t.schema(), t.name());
        if (rows.isEmpty()) {
            return "the table was not found"; // the COPY will say it better
        }
        String[] r = rows.get(0);
        if (!r[0].equals("r")) {
            return "not a plain table (relkind " + r[0] + ")";
        }
        if (!r[1].equals("true")) {
            return "the role " + Pg.queryString(c, "SELECT current_user") + " does not own the table";
        }
        if (r[2].equals("true")) {
            return "a foreign key references the table";
        }
        return null;
    }

    /**
     * Takes the table's ACCESS EXCLUSIVE lock, which DROP INDEX needs anyway; with a timeout (9.3+) unless truncating
     * (TRUNCATE takes the same lock and waits for it). False, with the transaction as it was, if it is not granted.
     */
    static boolean lock(Connection c, TableInfo t, boolean wait) throws SQLException {
        Pg.exec(c, "SAVEPOINT ibex_copy_lock");
        try {
            String previous = null;
            if (!wait && Pg.serverVersion(c) >= 90300) {
                previous = Pg.queryString(c, "SELECT current_setting('lock_timeout')");
                Pg.queryString(c, "SELECT set_config('lock_timeout', ?, true)", LOCK_TIMEOUT);
            }
            Pg.exec(c, "LOCK TABLE ONLY " + Sql.qualified(t.schema(), t.name()) + " IN ACCESS EXCLUSIVE MODE");
            if (previous != null) {
                Pg.queryString(c, "SELECT set_config('lock_timeout', ?, true)", previous);
            }
            Pg.exec(c, "RELEASE SAVEPOINT ibex_copy_lock");
            return true;
        } catch (SQLException e) {
            Pg.exec(c, "ROLLBACK TO SAVEPOINT ibex_copy_lock");
            Pg.exec(c, "RELEASE SAVEPOINT ibex_copy_lock");
            return false;
        }
    }

    /** The table's indexes, each with the statements to build it again, or (rebuild == null) why it stays. */
    record Found(Index rebuild, String drop, String keptWhy) {
    }

    /** Reads the definitions of the table's indexes; call with the table locked. */
    static List<Found> read(Connection c, TableInfo t) throws SQLException {
        String table = Sql.qualified(t.schema(), t.name());
        String replident = Pg.serverVersion(c) >= 90400 ? "i.indisreplident" : "false";
        return Pg.query(c, "SELECT ic.relname, pg_get_indexdef(i.indexrelid), con.conname, pg_get_constraintdef(con.oid),"
                        + " CASE WHEN NOT (i.indisvalid AND i.indisready AND i.indislive) THEN 'it is not valid'"
                        + " WHEN ic.reltablespace <> 0 THEN 'it has its own tablespace'"
                        + " WHEN EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0)"
                        + "  THEN 'a column has its own statistics target'"
                        + " WHEN con.oid IS NOT NULL AND (con.conname <> ic.relname OR con.coninhcount > 0 OR NOT con.conislocal)"
                        + "  THEN 'its constraint has another name or is inherited'"
                        + " WHEN EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indexrelid"
                        + "  AND d.deptype <> 'i' AND NOT (d.classid = 'pg_constraint'::regclass AND d.objid = coalesce(con.oid, 0)))"
                        + "  OR EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_constraint'::regclass AND d.refobjid = con.oid"
                        + "  AND d.deptype <> 'i' AND NOT (d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid))"
                        + "  THEN 'another object depends on it'"
                        + " WHEN EXISTS (SELECT 1 FROM pg_depend d WHERE ((d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid)"
                        + "  OR (d.classid = 'pg_constraint'::regclass AND d.objid = con.oid)) AND d.deptype IN ('P', 'S', 'e'))"
                        + "  THEN 'it belongs to a partitioned index or an extension'"
                        + " END,"
                        + " i.indisclustered, " + replident + ", obj_description(i.indexrelid, 'pg_class'),"
                        + " CASE WHEN con.oid IS NOT NULL THEN obj_description(con.oid, 'pg_constraint') END,"
                        + " con.contype::text, con.condeferrable, con.condeferred"
                        + " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                        + " LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')"
                        + " WHERE i.indrelid = ?::regclass"
                        + " ORDER BY con.oid IS NULL, ic.relname",
                rs -> {
                    String name = rs.getString(1);
                    String indexdef = rs.getString(2);
                    String conname = rs.getString(3);
                    String condef = rs.getString(4);
                    String kept = rs.getString(5);
                    String index = Sql.qualified(t.schema(), name);
                    if (kept != null) {
                        return new Found(null, null, name + ": " + kept);
                    }
                    List<String> create = new ArrayList<>();
                    String drop;
                    String contype = rs.getString(10);
                    if (conname != null) {
                        drop = "ALTER TABLE ONLY " + table + " DROP CONSTRAINT " + Sql.ident(conname);
                        if (contype.equals("x")) {
                            create.add("ALTER TABLE ONLY " + table + " ADD CONSTRAINT " + Sql.ident(conname) + " " + condef);
                        } else {
                            // the index exactly as it was (pg_get_constraintdef leaves out its WITH options), then the
                            // constraint on it (9.1+), as it was: primary key or unique, deferrable or not
                            create.add(indexdef);
                            create.add("ALTER TABLE ONLY " + table + " ADD CONSTRAINT " + Sql.ident(conname)
                                    + (contype.equals("p") ? " PRIMARY KEY" : " UNIQUE") + " USING INDEX " + Sql.ident(name)
                                    + (rs.getBoolean(11) ? " DEFERRABLE" : "") + (rs.getBoolean(12) ? " INITIALLY DEFERRED" : ""));
                        }
                    } else {
                        drop = "DROP INDEX " + index;
                        create.add(indexdef);
                    }
                    if (rs.getBoolean(6)) {
                        create.add("ALTER TABLE ONLY " + table + " CLUSTER ON " + Sql.ident(name));
                    }
                    if (rs.getBoolean(7)) {
                        create.add("ALTER TABLE ONLY " + table + " REPLICA IDENTITY USING INDEX " + Sql.ident(name));
                    }
                    if (rs.getString(8) != null) {
                        create.add("COMMENT ON INDEX " + index + " IS " + Sql.literal(rs.getString(8)));
                    }
                    if (rs.getString(9) != null) {
                        create.add("COMMENT ON CONSTRAINT " + Sql.ident(conname) + " ON " + table + " IS " + Sql.literal(rs.getString(9)));
                    }
                    return new Found(new Index(name, create), drop, null);
                }, table);
    }
}
