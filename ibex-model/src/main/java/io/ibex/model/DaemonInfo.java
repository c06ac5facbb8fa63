package io.ibex.model;

import java.time.Duration;
import java.time.OffsetDateTime;

/**
 * A daemon registered in the repository (table {@code ibex.daemon}). heartbeatAge is measured by the repository's
 * clock; sessionAlive says whether the daemon's repository session still holds the daemon lock (false once the
 * process is gone: killed, crashed, or its host lost, even before the heartbeat grows old).
 */
public record DaemonInfo(String name, String host, long pid, String version, String piddir, OffsetDateTime started,
                         OffsetDateTime heartbeat, Duration heartbeatAge, boolean sessionAlive, OffsetDateTime stopRequested) {

    /** How often a daemon renews its heartbeat. */
    public static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(2);
    /** A heartbeat older than this is stale: five renewals missed. */
    public static final Duration STALE_AFTER = Duration.ofSeconds(10);

    public enum State {
        /** its session holds the lock and its heartbeat is recent */
        RUNNING,
        /** its session holds the lock, but it has not renewed its heartbeat: frozen (SIGSTOP, a suspended VM) or stuck */
        NOT_RESPONDING,
        /** its session is gone: the row is what a daemon that did not stop cleanly left behind */
        GONE
    }

    public State state() {
        if (!sessionAlive) {
            return State.GONE;
        }
        return heartbeatAge.compareTo(STALE_AFTER) > 0 ? State.NOT_RESPONDING : State.RUNNING;
    }

    public boolean running() {
        return state() == State.RUNNING;
    }
}
