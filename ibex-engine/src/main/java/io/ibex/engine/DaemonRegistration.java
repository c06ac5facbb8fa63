package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.db.ConnectionSpec;
import io.ibex.db.Pg;
import io.ibex.model.DaemonInfo;
import io.ibex.repository.Daemons;
import io.ibex.repository.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The daemon as the repository knows it: the daemon lock, its row in {@code ibex.daemon}, a heartbeat every
 * {@link DaemonInfo#HEARTBEAT_EVERY} from a thread and connection of its own (so that a long purge or reload does not
 * make a working daemon look stale), the stop requests it reads there, and its removal on a clean stop.
 */
final class DaemonRegistration {

    private static final Logger log = LoggerFactory.getLogger(DaemonRegistration.class);
    /** How long a new daemon waits for the lock of one that is going away (killed here, or asked to stop). */
    private static final Duration PREDECESSOR_WAIT = Duration.ofSeconds(20);

    private final DaemonIdentity id;
    private final ConnectionSpec spec;
    private volatile int backendPid;
    private volatile boolean predecessorDead;
    private volatile boolean closed;
    private volatile boolean stopTold;
    private Thread heartbeat;

    DaemonRegistration(DaemonIdentity id, ConnectionSpec spec) {
        this.id = id;
        this.spec = spec;
    }

    DaemonIdentity identity() {
        return id;
    }

    /**
     * Takes the daemon lock (shared: several daemons run on one repository) and registers, in the caller's
     * transaction. A live daemon of the same name refuses this one, unless it is going away (killed on this host a
     * moment ago, or asked to stop): that one is waited for.
     */
    void acquire(Repository repo) {
        Connection c = repo.connection();
        if (!Daemons.tryLock(c)) {
            throw new IbexException("'ibex upgrade' is running on this repository (" + spec.describe() + "): start the daemon when it is done");
        }
        long deadline = System.nanoTime() + PREDECESSOR_WAIT.toNanos();
        for (Optional<DaemonInfo> same = Daemons.liveNamed(c, id.name()); same.isPresent(); same = Daemons.liveNamed(c, id.name())) {
            DaemonInfo h = same.get();
            boolean going = h.stopRequested() != null || h.host().equals(id.host()) && !Processes.alive(h.pid());
            if (!going || System.nanoTime() > deadline) {
                throw new IbexException("another ibex daemon named \"" + id.name() + "\" is already running on this repository ("
                        + spec.describe() + "): pid " + h.pid() + " on " + h.host() + "; start this one with daemon=OTHERNAME");
            }
            repo.commit();
            sleep(100);
        }
        backendPid = Daemons.backendPid(c);
        predecessorDead = Daemons.list(c).stream().anyMatch(d -> d.name().equals(id.name()) && d.host().equals(id.host())
                && d.pid() != id.pid() && !Processes.alive(d.pid()));
        Daemons.register(c, id.name(), id.host(), id.pid(), id.version(), id.piddir(), backendPid);
    }

    /**
     * Whether the daemon this one replaces (same name, same host) is known dead: its process is gone. Its leases, still
     * under this name until they expire, may then be taken at once instead of after their expiry.
     */
    boolean predecessorDead() {
        return predecessorDead;
    }

    /** After a reconnection, in the caller's transaction: the lock again, and the row pointed at this session. */
    void reacquire(Repository repo) {
        Connection c = repo.connection();
        if (!Daemons.tryLock(c)) {
            throw new IbexException("'ibex upgrade' holds the repository");
        }
        backendPid = Daemons.backendPid(c);
        if (!Daemons.reattach(c, id.name(), id.pid())) {
            Daemons.register(c, id.name(), id.host(), id.pid(), id.version(), id.piddir(), backendPid);
        }
    }

    /** Starts the heartbeat; onStop gets the reason (or null) once, when a stop is asked for in the repository. */
    void startHeartbeat(Consumer<String> onStop) {
        heartbeat = new Thread(() -> beat(onStop), "ibex-heartbeat");
        heartbeat.setDaemon(true);
        heartbeat.start();
    }

    /** Whether a stop has been asked for this daemon (read on the main session when a stop notice arrives). */
    boolean stopRequested(Repository repo, Consumer<String> onStop) {
        Daemons.Renewal r = Daemons.heartbeat(repo.connection(), id.name(), id.pid());
        repo.commit();
        if (r.stopRequested()) {
            tellStop(onStop, r.reason());
        }
        return r.stopRequested();
    }

    private void beat(Consumer<String> onStop) {
        Connection c = null;
        while (!closed) {
            try {
                if (c == null) {
                    c = spec.open("ibex-heartbeat");
                    c.setAutoCommit(true);
                }
                Daemons.Renewal r = Daemons.heartbeat(c, id.name(), id.pid());
                if (!r.registered() && !closed && backendPid != 0) {
                    log.warn("MCP This daemon's registration was missing from the repository: registered again");
                    Daemons.register(c, id.name(), id.host(), id.pid(), id.version(), id.piddir(), backendPid);
                } else if (r.stopRequested()) {
                    tellStop(onStop, r.reason());
                }
            } catch (Exception e) {
                log.debug("MCP Heartbeat failed: {}", Pg.firstLine(e));
                Pg.closeQuietly(c);
                c = null;
            }
            try {
                Thread.sleep(DaemonInfo.HEARTBEAT_EVERY.toMillis());
            } catch (InterruptedException e) {
                break;
            }
        }
        Pg.closeQuietly(c);
    }

    private synchronized void tellStop(Consumer<String> onStop, String reason) {
        if (!stopTold) {
            stopTold = true;
            onStop.accept(reason);
        }
    }

    /**
     * A clean stop: the heartbeat ends, the row goes and the lock is released in one step (see Daemons.deregister).
     * When the repository is away, a fresh connection tries; failing that, the row stays, and shows the daemon gone.
     */
    void deregister(Repository repo) {
        closed = true;
        if (heartbeat != null) {
            heartbeat.interrupt();
            try {
                heartbeat.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Daemons.deregister(repo.connection(), id.name(), id.pid());
            repo.commit();
            return;
        } catch (RuntimeException e) {
            repo.rollback();
        }
        try (Repository fresh = Repository.open(spec, "ibex-daemon")) {
            Daemons.deregister(fresh.connection(), id.name(), id.pid());
            fresh.commit();
        } catch (RuntimeException e) {
            log.warn("MCP Could not remove this daemon's registration: {}", e.getMessage());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IbexException("interrupted");
        }
    }
}
