package io.ibex.repository;

import java.time.OffsetDateTime;
import java.util.List;

/** One key changed on several sources in the same batch, and which source won (a row of {@code ibex.conflict}). */
public record Conflict(String sync, long run, String table, String key, List<String> dbs, String winner, String strategy,
                       OffsetDateTime at) {
}
