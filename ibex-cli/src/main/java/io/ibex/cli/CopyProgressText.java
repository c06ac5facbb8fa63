package io.ibex.cli;

import io.ibex.repository.CopyProgress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A copy's progress as status and kick print it: rows and MB done of estimated, rate and time left. */
final class CopyProgressText {
    private CopyProgressText() {
    }

    /** "1,234 / 3,000 rows, 12.3 / 30.0 MB, 250,000 rows/s, 24.1 MB/s, ETA 7 s". */
    static String describe(CopyProgress p) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%,d / %,d rows", p.rowsCopied(), Math.max(p.rowsCopied(), p.rowsEstimated())));
        if (p.bytesCopied() > 0 || p.bytesEstimated() > 0) {
            s.append(String.format(Locale.ROOT, ", %.1f / ~%.1f MB", mb(p.bytesCopied()), mb(Math.max(p.bytesCopied(), p.bytesEstimated()))));
        }
        if (p.rowsPerSecond() > 0) {
            s.append(String.format(Locale.ROOT, ", %,d rows/s, %.1f MB/s", Math.round(p.rowsPerSecond()), mb(Math.round(p.bytesPerSecond()))));
        }
        if (p.finished() == null) {
            p.etaSeconds().ifPresent(eta -> s.append(", ETA ").append(duration(eta)));
        }
        return s.toString();
    }

    /** Per target, its tables' copies then (with more than one) their total. */
    static List<String[]> lines(List<CopyProgress> copies) {
        Map<String, List<CopyProgress>> byTarget = new LinkedHashMap<>();
        copies.forEach(c -> byTarget.computeIfAbsent(c.target(), k -> new ArrayList<>()).add(c));
        List<String[]> out = new ArrayList<>();
        byTarget.forEach((target, list) -> {
            for (CopyProgress c : list) {
                out.add(new String[] {c.table() + " -> " + target, describe(c) + (c.finished() == null ? " (copying)" : " (done)")});
            }
            if (list.size() > 1) {
                CopyProgress t = CopyProgress.total(list);
                out.add(new String[] {"total -> " + target, describe(t) + (t.finished() == null ? " (copying)" : " (done)")});
            }
        });
        return out;
    }

    /** "42 s", "3 min 5 s", "2 h 7 min". */
    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }

    private static double mb(long bytes) {
        return bytes / 1048576.0;
    }
}
