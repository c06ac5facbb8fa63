package io.ibex.model;

import java.time.OffsetDateTime;

/** One run of a sync, as recorded in the repository. outcome is good, bad or empty; null while running. */
public record SyncRun(long id, String sync, String target, OffsetDateTime started, OffsetDateTime ended, String state,
                      String outcome, long deletes, long inserts, long conflicts, long truncates, String error) {
}
