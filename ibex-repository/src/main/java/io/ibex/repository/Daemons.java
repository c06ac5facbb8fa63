package io.ibex.repository;

import io.ibex.db.Pg;
import io.ibex.model.DaemonInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.ibex.repository.Jdbc.call;

/**
 * Table {@code ibex.daemon}: the daemons known to the repository, and the advisory lock every running daemon holds (shared).
 * Every method runs in the caller's transaction. Whether a registered daemon is alive is told by the repository
 * alone: its session (backend_pid) holds the daemon lock of this database, and its heartbeat, written with the
 * repository's clock, is recent. A pid file on one host or a process table says nothing about another repository.
 */
public final class Daemons {

    /** The advisory lock key that marks a running daemon (arbitrary, fixed: "ibex" in ASCII). */
    public static final long LOCK_KEY = 0x69626578L;

    /** Whether the session backend_pid holds this database's daemon lock (a bigint key: classid 0, objsubid 1). */
    private static final String HOLDS_LOCK = "EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
            + " AND l.pid = d.backend_pid AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " AND l.classid = 0 AND l.objid = " + LOCK_KEY + " AND l.objsubid = 1)";

    private Daemons() {
    }

    /** What a heartbeat found: whether the row is still there, and whether a stop was asked for (with its reason). */
    public record Renewal(boolean registered, boolean stopRequested, String reason) {
    }

    /**
     * Whether a daemon runs on this repository: registered, its session holding the daemon lock, its heartbeat
     * recent (what {@code ibex check} asks).
     */
    public static boolean running(Connection c) {
        return list(c).stream().anyMatch(DaemonInfo::running);
    }

    /** Every registered daemon, by name, with its heartbeat's age by the repository's clock. */
    public static List<DaemonInfo> list(Connection c) {
        return call(() -> Pg.query(c, "SELECT d.name, d.host, d.pid, d.version, d.piddir, d.started, d.heartbeat,"
                + " extract(epoch FROM clock_timestamp() - d.heartbeat) AS age, " + HOLDS_LOCK + " AS alive, d.stop_requested"
                + " FROM ibex.daemon d ORDER BY d.name", rs -> new DaemonInfo(rs.getString(1), rs.getString(2), rs.getLong(3),
                rs.getString(4), rs.getString(5), rs.getObject(6, OffsetDateTime.class), rs.getObject(7, OffsetDateTime.class),
                Duration.ofMillis(Math.max(0, Math.round(rs.getDouble(8) * 1000))), rs.getBoolean(9), rs.getObject(10, OffsetDateTime.class))));
    }

    /** This connection's server process, the session that holds the daemon lock once it has taken it. */
    public static int backendPid(Connection c) {
        return call(() -> (int) Pg.queryLong(c, "SELECT pg_backend_pid()"));
    }

    /**
     * Takes the daemon lock for this session in shared mode (held until it ends or {@link #deregister}): every daemon
     * of a fleet holds it together; false only while an 'ibex upgrade' holds it exclusively.
     */
    public static boolean tryLock(Connection c) {
        return call(() -> "t".equals(Pg.queryString(c, "SELECT pg_try_advisory_lock_shared(" + LOCK_KEY + ")")));
    }

    /** Whether any session holds the daemon lock of this repository (a daemon, or an upgrade in progress). */
    public static boolean lockHeld(Connection c) {
        return call(() -> Pg.exists(c, "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = "
                + "(SELECT oid FROM pg_database WHERE datname = current_database()) AND classid = 0 AND objid = "
                + LOCK_KEY + " AND objsubid = 1 AND granted"));
    }

    /**
     * Registers the daemon whose session backendPid holds the daemon lock. Rows of daemons whose session is gone, and
     * an old row of the same name, are replaced.
     */
    public static void register(Connection c, String name, String host, long pid, String version, String piddir, int backendPid) {
        call(() -> {
            Pg.update(c, "DELETE FROM ibex.daemon d WHERE d.name = ? OR NOT " + HOLDS_LOCK, name);
            return Pg.update(c, "INSERT INTO ibex.daemon (name, host, pid, version, piddir, backend_pid) VALUES (?, ?, ?, ?, ?, ?)",
                    name, host, pid, version, piddir, backendPid);
        });
    }

    /** After a reconnection: this connection is the daemon's session now. False if its row is gone. */
    public static boolean reattach(Connection c, String name, long pid) {
        return call(() -> Pg.update(c, "UPDATE ibex.daemon SET backend_pid = pg_backend_pid(), heartbeat = now() WHERE name = ? AND pid = ?",
                name, pid)) > 0;
    }

    /** Renews the heartbeat (the repository's clock) and reads whether a stop was asked for. */
    public static Renewal heartbeat(Connection c, String name, long pid) {
        return call(() -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE ibex.daemon SET heartbeat = now() WHERE name = ? AND pid = ?"
                    + " RETURNING stop_requested IS NOT NULL, stop_reason")) {
                ps.setString(1, name);
                ps.setLong(2, pid);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new Renewal(true, rs.getBoolean(1), rs.getString(2)) : new Renewal(false, false, null);
                }
            }
        });
    }

    /**
     * Asks the named daemon (every daemon when name is null) to stop; the caller notifies the daemons in the same
     * transaction. Returns the names asked.
     */
    public static List<String> requestStop(Connection c, String name, String reason) {
        List<String> asked = new ArrayList<>();
        call(() -> Pg.query(c, "UPDATE ibex.daemon SET stop_requested = coalesce(stop_requested, now()), stop_reason = ?"
                + " WHERE ?::text IS NULL OR name = ? RETURNING name", rs -> asked.add(rs.getString(1)), reason, name, name));
        return asked;
    }

    /**
     * A clean stop: removes the row and releases the daemon lock before the caller commits, so that whoever sees the
     * row gone (a waiting 'ibex stop', then 'start') finds the lock free.
     */
    public static void deregister(Connection c, String name, long pid) {
        call(() -> {
            Pg.update(c, "DELETE FROM ibex.daemon WHERE name = ? AND pid = ?", name, pid);
            return Pg.queryString(c, "SELECT pg_advisory_unlock_shared(" + LOCK_KEY + ")");
        });
    }

    /** The registered daemon of this name whose session holds the daemon lock, if any. */
    public static Optional<DaemonInfo> liveNamed(Connection c, String name) {
        return list(c).stream().filter(d -> d.name().equals(name) && d.sessionAlive()).findFirst();
    }
}
