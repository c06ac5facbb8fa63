package io.ibex.verify;

/** Quoting for SQL text built by the verify classes. */
final class Sql {
    private Sql() {
    }

    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A literal for standard_conforming_strings=on. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
