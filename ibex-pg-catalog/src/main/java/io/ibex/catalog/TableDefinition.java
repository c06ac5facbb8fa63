package io.ibex.catalog;

import io.ibex.db.Sql;
import io.ibex.spi.SequenceSettings;

import java.util.ArrayList;
import java.util.List;

/**
 * A table as its source's catalog defines it, read by {@link TableDefinitionReader}, with the statements that create
 * it elsewhere. Expressions and definitions are the server's own text (pg_get_expr, pg_get_constraintdef,
 * pg_get_indexdef, format_type), read with search_path = pg_catalog so that every name in them is schema-qualified.
 */
public record TableDefinition(String schema, String name, boolean unlogged, String comment, List<Column> columns,
                              List<Named> checks, List<Named> keys, List<String> indexes, List<Named> foreignKeys,
                              List<OwnedSequence> sequences) {

    /**
     * One column. identity is "a" (ALWAYS), "d" (BY DEFAULT) or ""; generated holds the expression of a stored
     * generated column (PostgreSQL 12+), else null; collation is set where it differs from the type's.
     */
    public record Column(String name, String type, String collation, boolean notNull, String defaultExpr,
                         String identity, String generated, String comment) {
    }

    /** A constraint: its name and pg_get_constraintdef's text. */
    public record Named(String name, String definition) {
    }

    /** A sequence a column owns (serial, or identity when identity is true), with its settings and value. */
    public record OwnedSequence(String schema, String name, String column, boolean identity, SequenceSettings settings,
                                long lastValue, boolean isCalled) {
    }

    public String qualified() {
        return Sql.qualified(schema, name);
    }

    /** The sequences a serial column uses, created before the table (its default names them). */
    public List<String> sequenceStatements() {
        List<String> out = new ArrayList<>();
        for (OwnedSequence s : sequences) {
            if (!s.identity()) {
                out.add(createSequence(s.schema(), s.name(), s.settings()));
            }
        }
        return out;
    }

    /** CREATE TABLE with columns, defaults, NOT NULL and checks; then sequence values and comments (no keys or indexes). */
    public List<String> createStatements() {
        List<String> parts = new ArrayList<>();
        for (Column c : columns) {
            StringBuilder col = new StringBuilder(Sql.ident(c.name())).append(' ').append(c.type());
            if (c.collation() != null) {
                col.append(" COLLATE ").append(c.collation());
            }
            if (c.generated() != null) {
                col.append(" GENERATED ALWAYS AS (").append(c.generated()).append(") STORED");
            } else if (!c.identity().isEmpty()) {
                col.append(" GENERATED ").append(c.identity().equals("a") ? "ALWAYS" : "BY DEFAULT").append(" AS IDENTITY");
            } else if (c.defaultExpr() != null) {
                col.append(" DEFAULT ").append(c.defaultExpr());
            }
            if (c.notNull()) {
                col.append(" NOT NULL");
            }
            parts.add(col.toString());
        }
        for (Named check : checks) {
            parts.add("CONSTRAINT " + Sql.ident(check.name()) + " " + check.definition());
        }
        List<String> out = new ArrayList<>();
        out.add("CREATE " + (unlogged ? "UNLOGGED " : "") + "TABLE " + qualified() + " (" + String.join(", ", parts) + ")");
        for (OwnedSequence s : sequences) {
            String seq = Sql.literal(Sql.qualified(s.schema(), s.name()));
            if (s.identity()) {
                seq = "pg_get_serial_sequence(" + Sql.literal(qualified()) + ", " + Sql.literal(s.column()) + ")";
                out.add("ALTER TABLE " + qualified() + " ALTER COLUMN " + Sql.ident(s.column()) + settingsClause(s.settings(), "SET "));
            } else {
                out.add("ALTER SEQUENCE " + Sql.qualified(s.schema(), s.name()) + " OWNED BY " + qualified() + "." + Sql.ident(s.column()));
            }
            out.add("SELECT setval(" + seq + ", " + s.lastValue() + ", " + s.isCalled() + ")");
        }
        if (comment != null) {
            out.add("COMMENT ON TABLE " + qualified() + " IS " + Sql.literal(comment));
        }
        for (Column c : columns) {
            if (c.comment() != null) {
                out.add("COMMENT ON COLUMN " + qualified() + "." + Sql.ident(c.name()) + " IS " + Sql.literal(c.comment()));
            }
        }
        return out;
    }

    /**
     * The primary key, unique and exclusion constraints, then the other indexes: built once the rows are in. A plain
     * primary key or unique constraint is built as pgcopydb does, as a unique index (CREATE INDEX takes a SHARE lock,
     * so the table's indexes can be built at the same time) then attached with ADD CONSTRAINT ... USING INDEX, which
     * only renames it into the constraint; other constraints are added as they are defined.
     */
    public List<String> indexStatements() {
        List<String> out = new ArrayList<>();
        List<String> attach = new ArrayList<>();
        for (Named key : keys) {
            java.util.regex.Matcher m = PLAIN_KEY.matcher(key.definition());
            if (m.matches()) {
                out.add("CREATE UNIQUE INDEX " + Sql.ident(key.name()) + " ON " + qualified() + " " + m.group(2));
                attach.add("ALTER TABLE " + qualified() + " ADD CONSTRAINT " + Sql.ident(key.name()) + " " + m.group(1) + " USING INDEX "
                        + Sql.ident(key.name()));
            } else {
                out.add("ALTER TABLE " + qualified() + " ADD CONSTRAINT " + Sql.ident(key.name()) + " " + key.definition());
            }
        }
        out.addAll(indexes);
        out.addAll(attach);
        return out;
    }

    /** A primary key or unique constraint on plain columns, nothing more (no INCLUDE, WITH, tablespace, deferral, NULLS). */
    private static final java.util.regex.Pattern PLAIN_KEY = java.util.regex.Pattern.compile("(PRIMARY KEY|UNIQUE) (\\([^()]*\\))");

    /** The foreign keys, added once the rows are in. */
    public List<String> foreignKeyStatements() {
        return foreignKeys.stream().map(fk -> "ALTER TABLE " + qualified() + " ADD CONSTRAINT " + Sql.ident(fk.name()) + " "
                + fk.definition()).toList();
    }

    /** CREATE SEQUENCE with a source sequence's settings (its value is set apart). */
    public static String createSequence(String schema, String name, SequenceSettings s) {
        return "CREATE SEQUENCE " + Sql.qualified(schema, name) + settingsClause(s, "");
    }

    private static String settingsClause(SequenceSettings s, String prefix) {
        return " " + prefix + "INCREMENT BY " + s.increment() + " " + prefix + "MINVALUE " + s.min() + " " + prefix + "MAXVALUE "
                + s.max() + " " + prefix + "START WITH " + s.start() + " " + prefix + (s.cycle() ? "CYCLE" : "NO CYCLE");
    }
}
