package io.ibex.spi.jdbc;

import io.ibex.IbexException;

/**
 * The value a target that is not PostgreSQL gets for a PostgreSQL value (as {@link io.ibex.spi.CopyTextTypes} decodes
 * it), or a one-line error naming the column when no such target can hold it: the infinities and NaN of numeric,
 * real and double precision, the infinite and BC dates and timestamps. ibex's sessions print dates and times in ISO
 * style and UTC, so a timestamptz loses only its "+00" (the target holds it as UTC).
 */
public final class PortableValues {
    private PortableValues() {
    }

    public static Object toTarget(String table, String column, String pgType, Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Double d && (d.isNaN() || d.isInfinite()) || v instanceof Float f && (f.isNaN() || f.isInfinite())) {
            throw cannotHold(table, column, pgType, v);
        }
        String base = TypeMapping.base(pgType);
        switch (base) {
            case "date", "timestamp without time zone", "timestamp", "timestamp with time zone", "timestamptz" -> {
                String s = (String) v;
                if (s.endsWith("infinity") || s.endsWith(" BC")) {
                    throw cannotHold(table, column, pgType, v);
                }
                return base.contains("with time zone") || base.equals("timestamptz") ? withoutUtcOffset(s) : s;
            }
            default -> {
                return v;
            }
        }
    }

    /** "2024-01-02 03:04:05.123456+00" is "2024-01-02 03:04:05.123456" (the session's time zone is UTC). */
    static String withoutUtcOffset(String s) {
        int plus = Math.max(s.lastIndexOf('+'), s.lastIndexOf('-'));
        if (plus > 10) { // past the date's own dashes
            String offset = s.substring(plus + 1);
            if (!offset.matches("00(:00(:00)?)?")) {
                throw new IllegalStateException("a timestamptz not in UTC: " + s);
            }
            return s.substring(0, plus);
        }
        return s;
    }

    public static IbexException cannotHold(String table, String column, String pgType, Object v) {
        return new IbexException("column " + column + " of " + table + " (" + pgType + "): value " + v
                + " has no equivalent on this target (see docs/other-targets.md)");
    }
}
