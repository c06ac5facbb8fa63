package io.ibex.spi;

import io.ibex.model.DaemonSnapshot;

/**
 * Where the daemon reports what it does, for metrics and the status page (the Prometheus adapter is one). The
 * engine knows only this interface; the command line finds an implementation with {@link java.util.ServiceLoader}.
 * Calls come from the daemon's threads and must return at once.
 */
public interface MetricsSink extends AutoCloseable {

    /** Reports nothing. */
    MetricsSink NONE = new MetricsSink() {
    };

    /**
     * The daemon starts: serve on host:port (null host: serve nothing). A port that cannot be had is logged in one
     * line and the daemon goes on without it.
     */
    default void start(String host, int port) {
    }

    /** A run of a sync ended. target: its lane, or null for a run over every target; outcome good, empty or bad. */
    default void runEnded(String sync, String target, String outcome, double seconds, long deletes, long inserts,
                          long conflicts, String conflictStrategy) {
    }

    /** What the daemon measured of itself just now. */
    default void snapshot(DaemonSnapshot snapshot) {
    }

    @Override
    default void close() {
    }
}
