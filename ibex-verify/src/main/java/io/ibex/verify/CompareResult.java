package io.ibex.verify;

import java.util.List;

/**
 * The outcome of comparing one table.
 *
 * @param differences the first {@link CompareOptions#maxKeys()} differing keys found (range by range, in source key
 *                    order between ranges; within a range target-side findings come first)
 */
public record CompareResult(long sourceRows, long targetRows, long missingOnTarget, long extraOnTarget,
                            long different, List<KeyDifference> differences, int ranges, int differingRanges) {

    public enum Kind { MISSING_ON_TARGET, EXTRA_ON_TARGET, DIFFERENT }

    /** A row that differs, named by its key values as text (in key column order). */
    public record KeyDifference(Kind kind, List<String> key) {
        public KeyDifference {
            key = List.copyOf(key);
        }
    }

    public CompareResult {
        differences = List.copyOf(differences);
    }

    public boolean identical() {
        return totalDifferences() == 0;
    }

    /** All differing rows, including those beyond the listed {@link #differences()}. */
    public long totalDifferences() {
        return missingOnTarget + extraOnTarget + different;
    }

    public boolean truncated() {
        return totalDifferences() > differences.size();
    }
}
