package io.ibex.spi;

import java.util.List;
import java.util.Map;

/**
 * Picks the winner of a conflict: the same key changed on several sources between two runs of a sync. Name an
 * implementation in a sync with {@code conflict_strategy=custom:com.example.MyResolver}; the class needs a public
 * no-argument constructor and must be on the daemon's class path ({@code IBEX_CLASSPATH}). It is called once per
 * conflicting key, from the sync's worker thread.
 */
public interface ConflictResolver {

    /**
     * @return the name of the database whose row wins (one of {@code conflict.changedAt().keySet()}), or null to
     *         leave the key as it is on every database (as the skip strategy does)
     */
    String resolve(Conflict conflict);

    /**
     * @param key       the key's column values, as text
     * @param changedAt per database that changed the key: when it last changed it, in microseconds since the epoch
     */
    record Conflict(String sync, String schema, String table, List<String> keyColumns, List<String> key,
                    Map<String, Long> changedAt) {
    }
}
