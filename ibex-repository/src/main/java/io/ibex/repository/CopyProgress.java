package io.ibex.repository;

import java.time.OffsetDateTime;

/** How far the copy of one table to one target has come (a row of {@code ibex.copy_progress}). */
public record CopyProgress(String sync, String target, String table, long rowsCopied, long rowsEstimated,
                           OffsetDateTime started, OffsetDateTime finished) {
}
