package io.ibex.db;

import java.util.List;
import java.util.stream.Collectors;

/** Quoting of identifiers and literals: nothing a user types reaches SQL unquoted. */
public final class Sql {
    private Sql() {
    }

    public static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    public static String qualified(String schema, String name) {
        return ident(schema) + '.' + ident(name);
    }

    public static String idents(List<String> names) {
        return names.stream().map(Sql::ident).collect(Collectors.joining(", "));
    }

    public static String idents(String prefix, List<String> names) {
        return names.stream().map(n -> prefix + ident(n)).collect(Collectors.joining(", "));
    }

    /** A string literal that is read the same whatever standard_conforming_strings says (8.4 defaults it off). */
    public static String literal(String value) {
        if (value == null) {
            return "NULL";
        }
        String doubled = value.replace("'", "''");
        if (value.indexOf('\\') >= 0) {
            return "E'" + doubled.replace("\\", "\\\\") + "'";
        }
        return "'" + doubled + "'";
    }
}
