package io.ibex.model;

/**
 * A column as a schema change needs it: name, type (as format_type writes it), NOT NULL, and its default expression
 * (null if it has none) as the server writes it back.
 */
public record ColumnDef(String name, String type, boolean notNull, String defaultExpr) {

    /** Whether every row that had no value for the column gets the same one: no default, or a constant. */
    public boolean constantDefault() {
        if (defaultExpr == null) {
            return true;
        }
        // string literals out, then casts: what is left must be a number or a boolean; anything that names a
        // function or a keyword (now(), nextval(...), CURRENT_TIMESTAMP, random()) counts as not constant
        String e = defaultExpr.replaceAll("'(?:[^']|'')*'", "''").replaceAll("::\\s*\"?[A-Za-z_][A-Za-z_0-9 .\"]*(\\(\\s*\\d+(\\s*,\\s*\\d+)?\\s*\\))?(\\[\\])*", "");
        e = e.trim();
        return e.matches("[\\s()'+\\-0-9.eE]*") || e.equalsIgnoreCase("true") || e.equalsIgnoreCase("false") || e.equalsIgnoreCase("null");
    }
}
