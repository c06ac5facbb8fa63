package io.ibex.redis;

import io.ibex.IbexException;
import io.ibex.model.TableInfo;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a row lives in Redis, as Bucardo puts it: the hash {@code [key_prefix]table:k1:k2} (the key's values in the
 * order of the key's columns, as PostgreSQL writes them in COPY text), whose fields are the row's other columns that
 * are not null. With schema_prefix=1 the table is written {@code schema.table}.
 */
record RedisKeys(String keyPrefix, boolean schemaPrefix) {

    static final String KEY_PREFIX = "key_prefix";
    static final String SCHEMA_PREFIX = "schema_prefix";
    private static final Set<String> TRUE = Set.of("1", "t", "true", "yes", "on");
    private static final Set<String> FALSE = Set.of("0", "f", "false", "no", "off");

    static void check(Map<String, String> options) {
        String s = options.get(SCHEMA_PREFIX);
        if (s != null && !TRUE.contains(s.toLowerCase()) && !FALSE.contains(s.toLowerCase())) {
            throw new IbexException("add db: schema_prefix must be 0 or 1, not \"" + s + "\"");
        }
    }

    static RedisKeys of(Map<String, String> options) {
        String s = options.get(SCHEMA_PREFIX);
        return new RedisKeys(options.getOrDefault(KEY_PREFIX, ""), s != null && TRUE.contains(s.toLowerCase()));
    }

    /** What every key of the table begins with, up to and with the colon before the key's values. */
    String tablePrefix(TableInfo t) {
        return keyPrefix + (schemaPrefix ? t.schema() + "." : "") + t.name() + ":";
    }

    /** The key of one row: the table's prefix and the key's values joined with colons. */
    static String key(String tablePrefix, List<String> keyValues) {
        return keyValues.size() == 1 ? tablePrefix + keyValues.get(0) : tablePrefix + String.join(":", keyValues);
    }

    /** A SCAN MATCH pattern for every key of the table: its prefix with glob characters escaped, then *. */
    String pattern(TableInfo t) {
        return tablePrefix(t).replaceAll("([*?\\[\\]\\\\])", "\\\\$1") + "*";
    }
}
