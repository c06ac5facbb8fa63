package io.ibex.catalog;

import io.ibex.IbexException;
import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.spi.SchemaScript;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads {@link TableDefinition}s from a source's catalog, with no pg_dump binary: every query runs on PostgreSQL 9.3
 * to 17 (identity columns from 10, generated columns from 12). The reads run in a transaction of their own with
 * search_path = pg_catalog, so that the server writes every name in types, defaults and definitions with its schema.
 */
public final class TableDefinitionReader {

    private TableDefinitionReader() {
    }

    /** Reads the tables (schema, name) in one transaction on the connection, which is left in autocommit as it was. */
    public static List<TableDefinition> read(Connection c, List<String[]> tables) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            Pg.queryString(c, "SELECT set_config('search_path', 'pg_catalog', true)");
            List<TableDefinition> out = new ArrayList<>();
            for (String[] t : tables) {
                out.add(table(c, t[0], t[1]));
            }
            c.commit();
            return out;
        } finally {
            Pg.rollbackQuietly(c);
            c.setAutoCommit(auto);
        }
    }

    /**
     * The script that creates the given tables and the given other sequences (schema, name) on an empty database:
     * schemas, sequences, tables (foreign keys after the rows).
     */
    public static SchemaScript script(Connection c, List<String[]> tables, List<String[]> sequences) throws SQLException {
        List<TableDefinition> defs = read(c, tables);
        Set<String> schemas = new LinkedHashSet<>();
        tables.forEach(t -> schemas.add(t[0]));
        sequences.forEach(s -> schemas.add(s[0]));
        List<String> create = new ArrayList<>();
        for (String schema : schemas) {
            if (!schema.equals("public")) {
                create.add("CREATE SCHEMA IF NOT EXISTS " + Sql.ident(schema));
            }
        }
        for (String[] s : sequences) {
            create.add(TableDefinition.createSequence(s[0], s[1], SequenceCatalog.read(c, s[0], s[1])));
        }
        List<String> foreignKeys = new ArrayList<>();
        java.util.Map<String, List<String>> indexes = new java.util.LinkedHashMap<>();
        for (TableDefinition d : defs) {
            create.addAll(d.sequenceStatements());
        }
        for (TableDefinition d : defs) {
            create.addAll(d.createStatements());
            if (!d.indexStatements().isEmpty()) {
                indexes.put(d.schema() + "." + d.name(), d.indexStatements());
            }
            foreignKeys.addAll(d.foreignKeyStatements());
        }
        return new SchemaScript(create, indexes, foreignKeys);
    }

    static TableDefinition table(Connection c, String schema, String name) throws SQLException {
        List<Object[]> rel = Pg.query(c, "SELECT cl.oid::bigint, cl.relkind::text, cl.relpersistence::text, obj_description(cl.oid, 'pg_class') "
                        + "FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE n.nspname = ? AND cl.relname = ?",
                rs -> new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)}, schema, name);
        String qualified = schema + "." + name;
        if (rel.isEmpty()) {
            throw new IbexException("table " + qualified + " does not exist on the source");
        }
        if (!"r".equals(rel.get(0)[1])) {
            throw new IbexException("table " + qualified + " is not a plain table (relkind " + rel.get(0)[1]
                    + "): ibex creates plain tables only; create it on the target by hand");
        }
        long oid = (Long) rel.get(0)[0];
        int version = Pg.serverVersion(c);
        return new TableDefinition(schema, name, "u".equals(rel.get(0)[2]), (String) rel.get(0)[3], columns(c, oid, version),
                constraints(c, oid, "c.contype = 'c' AND c.conislocal"), constraints(c, oid, "c.contype IN ('p', 'u', 'x')"),
                indexes(c, oid), constraints(c, oid, "c.contype = 'f'"), sequences(c, oid, version));
    }

    private static List<TableDefinition.Column> columns(Connection c, long oid, int version) throws SQLException {
        String identity = version >= 100000 ? "a.attidentity::text" : "''";
        String generated = version >= 120000 ? "a.attgenerated::text" : "''";
        return Pg.query(c, "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), "
                        + "CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN (SELECT quote_ident(cn.nspname) || '.' "
                        + "|| quote_ident(co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace "
                        + "WHERE co.oid = a.attcollation) END, col_description(a.attrelid, a.attnum), " + identity + ", " + generated
                        + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                        + "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                        + "WHERE a.attrelid = ?::bigint::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                rs -> {
                    boolean isGenerated = "s".equals(rs.getString(8));
                    String identityKind = rs.getString(7) == null ? "" : rs.getString(7);
                    return new TableDefinition.Column(rs.getString(1), rs.getString(2), rs.getString(5), rs.getBoolean(3),
                            isGenerated ? null : rs.getString(4), identityKind, isGenerated ? rs.getString(4) : null, rs.getString(6));
                }, oid);
    }

    private static List<TableDefinition.Named> constraints(Connection c, long oid, String which) throws SQLException {
        return Pg.query(c, "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.conrelid = ?::bigint::oid AND "
                + which + " ORDER BY c.contype = 'p' DESC, c.conname", rs -> new TableDefinition.Named(rs.getString(1), rs.getString(2)), oid);
    }

    /** The indexes that back no primary key, unique or exclusion constraint (those come with their constraint). */
    private static List<String> indexes(Connection c, long oid) throws SQLException {
        return Pg.query(c, "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
                + "WHERE i.indrelid = ?::bigint::oid AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
                + "AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) ORDER BY ic.relname", rs -> rs.getString(1), oid);
    }

    /** The sequences the table's columns own: serial ("a" dependency) and identity ("i", PostgreSQL 10+). */
    private static List<TableDefinition.OwnedSequence> sequences(Connection c, long oid, int version) throws SQLException {
        List<String[]> owned = Pg.query(c, "SELECT n.nspname, s.relname, a.attname, d.deptype::text FROM pg_depend d "
                + "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_namespace n ON n.oid = s.relnamespace "
                + "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
                + "WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ?::bigint::oid "
                + "AND d.deptype IN ('a', 'i') ORDER BY a.attnum", rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getString(4)}, oid);
        List<TableDefinition.OwnedSequence> out = new ArrayList<>();
        for (String[] s : owned) {
            List<Object[]> value = Pg.query(c, "SELECT last_value, is_called FROM " + Sql.qualified(s[0], s[1]),
                    rs -> new Object[] {rs.getLong(1), rs.getBoolean(2)});
            out.add(new TableDefinition.OwnedSequence(s[0], s[1], s[2], "i".equals(s[3]), SequenceCatalog.read(c, s[0], s[1]),
                    (Long) value.get(0)[0], (Boolean) value.get(0)[1]));
        }
        return out;
    }
}
