package io.ibex.engine;

import java.util.List;

/** What one run of a sync did: rows deleted and inserted over every target, and the targets that failed. */
public record RunResult(long deletes, long inserts, long truncates, long conflicts, List<String> errors, boolean transientFailure) {

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
