package io.ibex.engine;

import java.util.List;

/**
 * What one run of a sync did: rows deleted and inserted over every target, and the targets that failed.
 * deactivate: the run met a conflict under conflict_strategy abort, and the sync stops.
 */
public record RunResult(long deletes, long inserts, long truncates, long conflicts, List<String> errors, boolean transientFailure,
                        boolean deactivate) {

    public RunResult(long deletes, long inserts, long truncates, long conflicts, List<String> errors, boolean transientFailure) {
        this(deletes, inserts, truncates, conflicts, errors, transientFailure, false);
    }

    /** A run that stops its sync, with why. */
    public static RunResult aborted(String why) {
        return new RunResult(0, 0, 0, 0, List.of(why), false, true);
    }

    public RunResult(long deletes, long inserts, long truncates, List<String> errors, boolean transientFailure) {
        this(deletes, inserts, truncates, 0, errors, transientFailure);
    }

    public RunResult(long deletes, long inserts, long truncates, List<String> errors, boolean transientFailure, long conflicts) {
        this(deletes, inserts, truncates, conflicts, errors, transientFailure);
    }

    public boolean failed() {
        return !errors.isEmpty();
    }

    public boolean empty() {
        return deletes == 0 && inserts == 0 && truncates == 0;
    }

    public String outcome() {
        return failed() ? "bad" : empty() ? "empty" : "good";
    }
}
