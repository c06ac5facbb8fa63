package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.db.Pg;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One daemon of a fleet purges at a time: a transaction advisory lock on the repository, released when the purge's
 * transaction ends. A daemon that finds it taken skips this round (another purges the same rows).
 */
final class PurgeTurn {

    /** "ibex" + 2, beside the daemon lock's key. */
    static final long KEY = 0x69626578L + 2;

    private PurgeTurn() {
    }

    /** Whether this transaction may purge now. */
    static boolean take(Connection c) {
        try {
            return "t".equals(Pg.queryString(c, "SELECT pg_try_advisory_xact_lock(" + KEY + ")"));
        } catch (SQLException e) {
            throw new IbexException("repository: " + Pg.firstLine(e), e);
        }
    }
}
