package io.ibex.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the daemon measured of itself at one moment (every {@code status_interval}): each sync, what each of its
 * targets has still to receive and how old the oldest of it is, and each database's reachability. The metrics and
 * the status page are drawn from it.
 *
 * @param at        when it was taken
 * @param version   ibex's version
 * @param host      the daemon's host name
 * @param pid       the daemon's process id
 * @param syncs     every sync of the repository, active or not
 * @param databases each database the syncs use: true when it answered
 * @param captureBytes per source database, the size of what capture holds there (its change tables), when known
 */
public record DaemonSnapshot(Instant at, String version, String host, long pid, List<SyncSnapshot> syncs,
                             Map<String, Boolean> databases, Map<String, Long> captureBytes) {

    /**
     * One sync.
     *
     * @param state      Good, Bad, Inactive, Paused or what it is doing now (as {@code ibex status} says)
     * @param targets    per (source, target) pair, what is undelivered
     * @param lastError  the last failed run's error, or null
     * @param lastErrorAt when that run ended, or null
     * @param copies     the tables of its last initial copy, with their progress
     * @param conflicts  the newest lines of its conflict log, newest first
     */
    public record SyncSnapshot(String name, String state, boolean active, boolean paused, List<Undelivered> targets,
                               String lastError, Instant lastErrorAt, List<Copy> copies, List<ConflictLine> conflicts) {

        /** The sync's worst lag in seconds (0 when nothing is undelivered). */
        public double lagSeconds() {
            return targets.stream().mapToDouble(Undelivered::lagSeconds).max().orElse(0);
        }

        /** The changed rows undelivered to every target, added up. */
        public long backlog() {
            return targets.stream().mapToLong(Undelivered::rows).sum();
        }
    }

    /**
     * What one target has still to receive from one source: rows (changed keys), the age of the oldest of them on
     * the source's clock, and the rows per table ({@code schema.table}). error: why the source could not be read
     * (then rows and lag are those of the last reading that worked, or 0).
     */
    public record Undelivered(String source, String target, long rows, double lagSeconds, Map<String, Long> perTable,
                              String error) {
    }

    /** The copy of one table to one target: rows done, rows expected (an estimate), when it started and ended. */
    public record Copy(String target, String table, long rowsDone, long rowsTotal, Instant started, Instant finished) {
    }

    /** One conflict: when, which table and key, which source won under which strategy. */
    public record ConflictLine(Instant at, String table, String key, String winner, String strategy) {
    }
}
