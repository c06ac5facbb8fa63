package io.ibex.spi;

import java.math.BigDecimal;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The Java value of a field of PostgreSQL COPY text, by the column's type as the catalog names it (format_type):
 * smallint Short, integer Integer, bigint Long, numeric BigDecimal (Double for NaN and the infinities), real Float,
 * double precision Double, boolean Boolean, bytea byte[] (hex output, which ibex's sessions use); every other type
 * (text, dates and times in ISO style and UTC, json, uuid, arrays, ...) the String PostgreSQL printed.
 */
public final class CopyTextTypes {
    private CopyTextTypes() {
    }

    public static Object value(String type, String text) {
        if (text == null) {
            return null;
        }
        String t = baseType(type);
        return switch (t) {
            case "smallint", "int2" -> Short.valueOf(text);
            case "integer", "int", "int4" -> Integer.valueOf(text);
            case "bigint", "int8" -> Long.valueOf(text);
            case "numeric", "decimal" -> numeric(text);
            case "real", "float4" -> Float.valueOf(text);
            case "double precision", "float8" -> Double.valueOf(text);
            case "boolean", "bool" -> "t".equals(text) || "true".equals(text);
            case "bytea" -> bytea(text);
            default -> text;
        };
    }

    /** The type without its modifier ("numeric(10,2)" is numeric); an array ("integer[]") stays itself, so text. */
    static String baseType(String type) {
        String t = type == null ? "" : type.toLowerCase(Locale.ROOT).trim();
        int paren = t.indexOf('(');
        if (paren >= 0 && !t.endsWith("]")) {
            t = t.substring(0, paren).trim();
        }
        return t;
    }

    private static Object numeric(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> new BigDecimal(text);
        };
    }

    private static byte[] bytea(String text) {
        if (!text.startsWith("\\x")) {
            throw new IllegalArgumentException("bytea in escape output; ibex's sessions set bytea_output = 'hex'");
        }
        return HexFormat.of().parseHex(text, 2, text.length());
    }
}
