package io.ibex.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Medians, ranges and percentiles of small samples. */
final class Stats {
    private Stats() {
    }

    static double median(List<Double> xs) {
        return percentile(xs, 50);
    }

    static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** Percentile with linear interpolation between closest ranks (p in 0..100); NaN for no values. */
    static double percentile(List<Double> xs, double p) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        double rank = p / 100.0 * (s.size() - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return s.get(lo) + (s.get(hi) - s.get(lo)) * (rank - lo);
    }
}
