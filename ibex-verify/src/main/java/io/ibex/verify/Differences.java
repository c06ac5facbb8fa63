package io.ibex.verify;

import io.ibex.verify.CompareResult.Kind;
import io.ibex.verify.CompareResult.KeyDifference;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Differing keys found so far: all counted, the first {@code limit} kept. */
final class Differences {
    private final int limit;
    private final List<KeyDifference> listed = new ArrayList<>();
    private final Map<Kind, Long> counts = new EnumMap<>(Kind.class);

    Differences(int limit) {
        this.limit = limit;
        for (Kind k : Kind.values()) {
            counts.put(k, 0L);
        }
    }

    void add(Kind kind, List<String> key) {
        counts.merge(kind, 1L, Long::sum);
        if (listed.size() < limit) {
            listed.add(new KeyDifference(kind, key));
        }
    }

    long count(Kind kind) {
        return counts.get(kind);
    }

    List<KeyDifference> listed() {
        return listed;
    }
}
