package io.ibex.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The positional words after the verb and object: names (tables, syncs, db:role items, bare flags such as
 * pkonly) and key=value parameters. Only {@code =} makes a parameter (a colon belongs to db:role items); the
 * value is everything after the first {@code =}, so it may hold more {@code =}, quotes or spaces.
 */
record Words(List<String> names, Map<String, String> params) {

    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    static Words of(List<String> words) {
        List<String> names = new ArrayList<>();
        Map<String, String> params = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq > 0 && KEY.matcher(w.substring(0, eq)).matches()) {
                params.put(w.substring(0, eq), w.substring(eq + 1));
            } else {
                names.add(w);
            }
        }
        return new Words(names, params);
    }

    /** True (and removed from the names) if this bare word was given, in any case. */
    boolean takeBare(String word) {
        return names.removeIf(n -> n.equalsIgnoreCase(word));
    }

    /** A mutable copy of the parameters, for adding the ones given as options. */
    Map<String, String> paramsCopy() {
        return new LinkedHashMap<>(params);
    }
}
