package io.ibex.spi.jdbc;

import java.math.BigDecimal;
import java.util.HexFormat;

/**
 * What "the same value" means when {@code ibex verify} compares a PostgreSQL row with a row read back from a target
 * of another kind: both sides are reduced to one canonical text per PostgreSQL type, and the texts are compared.
 * Integers, numeric and booleans by value; real and double precision as the nearest float or double; bytea by its
 * bytes; dates and times by their text with trailing zeros of the fraction dropped (a timestamptz in UTC without its
 * offset); character(n) without its trailing blanks (MariaDB drops them); every other type (text, uuid, json, arrays,
 * interval, enums) by its exact text as PostgreSQL prints it.
 */
public final class ValueEquality {
    private ValueEquality() {
    }

    public static String canonical(String pgType, Object v) {
        if (v == null) {
            return null;
        }
        String base = TypeMapping.base(pgType);
        return switch (base) {
            case "smallint", "integer", "bigint" -> Long.toString(v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim()));
            case "numeric" -> v instanceof Double d ? d.toString() : number(v).stripTrailingZeros().toPlainString(); // NaN, infinities
            case "real" -> Float.toString(v instanceof Number n ? n.floatValue() : Float.parseFloat(v.toString()));
            case "double precision" -> Double.toString(v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString()));
            case "boolean" -> bool(v) ? "t" : "f";
            case "bytea" -> HexFormat.of().formatHex(v instanceof byte[] b ? b : v.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            case "date", "time without time zone", "time", "timestamp without time zone", "timestamp" -> time(v.toString());
            case "timestamp with time zone", "timestamptz" -> time(PortableValues.withoutUtcOffset(v.toString()));
            case "character", "char", "bpchar" -> v.toString().stripTrailing();
            default -> v.toString();
        };
    }

    private static BigDecimal number(Object v) {
        return v instanceof BigDecimal b ? b : new BigDecimal(v.toString().trim());
    }

    private static boolean bool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.intValue() != 0;
        }
        String s = v.toString();
        return s.equals("t") || s.equals("true") || s.equals("1");
    }

    /** "2024-01-02 03:04:05.120000" and "2024-01-02T03:04:05.12" are "2024-01-02 03:04:05.12"; ".000000" goes. */
    static String time(String s) {
        String t = s.replace('T', ' ');
        int dot = t.lastIndexOf('.');
        if (dot > t.lastIndexOf(':') && dot > 0) {
            String frac = t.substring(dot + 1).replaceAll("0+$", "");
            t = frac.isEmpty() ? t.substring(0, dot) : t.substring(0, dot + 1) + frac;
        }
        return t;
    }
}
