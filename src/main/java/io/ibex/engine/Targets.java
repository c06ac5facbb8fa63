package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.apply.PostgresTarget;
import io.ibex.apply.ReplicaMode;
import io.ibex.apply.ReplicaModes;
import io.ibex.apply.Target;
import io.ibex.capture.CaptureInstaller;
import io.ibex.capture.OwnSessions;
import io.ibex.db.Pg;
import io.ibex.repository.Database;

import java.sql.Connection;

/** Opens the right adapter for a target database. */
public final class Targets {
    private Targets() {
    }

    public static Target open(Database db, String applicationName) {
        if (!"postgres".equals(db.type())) {
            throw new IbexException("database \"" + db.name() + "\" has type " + db.type() + ", which cannot be a target yet");
        }
        Connection c = db.connection().openOrFail(applicationName, "database \"" + db.name() + "\"");
        try {
            if (applicationName.startsWith(CaptureInstaller.APPLICATION_PREFIX)) {
                OwnSessions.register(c); // a database that is a source too: its capture must skip what ibex writes
            }
            return new PostgresTarget(db.name(), c, replicaMode(db, c));
        } catch (java.sql.SQLException e) {
            Pg.closeQuietly(c);
            throw new IbexException("database \"" + db.name() + "\": cannot register ibex's session: " + Pg.firstLine(e), e);
        } catch (RuntimeException e) {
            Pg.closeQuietly(c);
            throw e;
        }
    }

    /** How this database's triggers and foreign keys are held off during an apply (see ReplicaModes). */
    public static ReplicaMode replicaMode(Database db, Connection c) {
        try {
            return ReplicaModes.detect(c, db.name(), db.replicaFunction(), db.replicaMode());
        } catch (java.sql.SQLException e) {
            throw new IbexException("database \"" + db.name() + "\": " + Pg.firstLine(e), e);
        }
    }
}
