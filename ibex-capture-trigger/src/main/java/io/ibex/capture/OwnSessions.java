package io.ibex.capture;

import io.ibex.db.Pg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The registry of ibex's own sessions on a captured database: the backend pids of the sessions through which ibex
 * writes there. The capture triggers skip a session's changes only if its application_name starts with
 * {@link CaptureInstaller#APPLICATION_PREFIX} (a cheap test, so other sessions pay nothing more) and its pid is
 * registered here. Any application can set an application_name; only ibex's role (the owner of
 * {@value CaptureInstaller#SCHEMA}, which grants nothing to PUBLIC) can write this table, and the triggers read it
 * as that role (SECURITY DEFINER). A row holds the backend's pid and start time, so a later backend that gets the pid of
 * an ended ibex session is not taken for ibex's; rows of ended backends are removed at every registration. All SQL runs on PostgreSQL 8.4 and later.
 */
public final class OwnSessions {

    private static final Logger log = LoggerFactory.getLogger(OwnSessions.class);

    static final String TABLE = CaptureInstaller.SCHEMA + ".sessions";

    /**
     * This backend's start time. With the pid it names one backend for good: a later backend that is given the pid of
     * an ended ibex session (before the next registration removes its row) has another start time. For a backend of
     * another role than the function's owner it is NULL, which matches nothing.
     */
    private static final String OWN_START = "(SELECT pg_catalog.pg_stat_get_backend_start(b) FROM pg_catalog.pg_stat_get_backend_idset() b "
            + "WHERE pg_catalog.pg_stat_get_backend_pid(b) OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid())";

    /** The trigger's test (after the application_name prefix matched): this backend is registered. */
    static final String REGISTERED = "EXISTS (SELECT 1 FROM " + TABLE + " WHERE pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid() "
            + "AND started OPERATOR(pg_catalog.=) " + OWN_START + ")";

    /** The pids of every live backend, readable by any role on every version (pg_stat_activity's column was procpid before 9.2). */
    private static final String LIVE_PIDS = "SELECT pg_catalog.pg_stat_get_backend_pid(b) FROM pg_catalog.pg_stat_get_backend_idset() b";

    private OwnSessions() {
    }

    /**
     * Creates the registry (the caller owns the transaction), with the ibex sessions of this role that are open
     * already: a daemon's connections made before capture was installed here.
     */
    static void create(Connection c) throws SQLException {
        Pg.exec(c, "CREATE TABLE " + TABLE + " (pid integer PRIMARY KEY, started timestamptz NOT NULL, registered timestamptz NOT NULL DEFAULT now())");
        if (Pg.serverVersion(c) < 90000) {
            return; // no application_name before 9.0
        }
        String pid = Pg.serverVersion(c) >= 90200 ? "pid" : "procpid";
        Pg.exec(c, "INSERT INTO " + TABLE + " (pid, started) SELECT " + pid + ", backend_start FROM pg_catalog.pg_stat_activity WHERE usename = current_user AND "
                + pid + " <> pg_catalog.pg_backend_pid() AND pg_catalog.substr(application_name, 1, 5) = '" + CaptureInstaller.APPLICATION_PREFIX + "'");
    }

    /**
     * Registers this session as one of ibex's, on a connection in autocommit mode; does nothing on a database
     * without capture. The cleanup is the first statement of its transaction, so the list of live backends it
     * reads is not older than the rows it sees.
     */
    public static void register(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try {
            Pg.exec(c, "DELETE FROM " + TABLE + " WHERE pid = pg_catalog.pg_backend_pid() OR pid NOT IN (" + LIVE_PIDS + ")");
            Pg.exec(c, "INSERT INTO " + TABLE + " (pid, started) VALUES (pg_catalog.pg_backend_pid(), " + OWN_START + ")");
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            if ("42501".equals(e.getSQLState())) { // capture installed here by another role: its triggers will record ibex's writes
                log.warn("Cannot register ibex's session as one of its own (its writes will be captured as an application's): {}", Pg.firstLine(e));
            } else if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
                throw e;
            }
        } finally {
            c.setAutoCommit(true);
        }
    }
}
