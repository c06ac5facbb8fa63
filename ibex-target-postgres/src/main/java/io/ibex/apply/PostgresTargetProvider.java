package io.ibex.apply;

import io.ibex.IbexException;
import io.ibex.model.SessionNames;
import io.ibex.spi.ChangeSources;
import io.ibex.db.ConnectionSpec;
import io.ibex.db.Pg;
import io.ibex.db.PostgresUrl;
import io.ibex.model.Database;
import io.ibex.spi.Target;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetProvider;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Set;

/** PostgreSQL as a target (type postgres, alias pg and postgresql): the first adapter, and the one that can do everything. */
public final class PostgresTargetProvider implements TargetProvider {

    public static final String TYPE = "postgres";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<String> aliases() {
        return Set.of("pg", "postgresql");
    }

    @Override
    public Set<TargetCapability> capabilities() {
        return EnumSet.complementOf(EnumSet.of(TargetCapability.TABLES_FROM_MAPPING)); // it runs the source's catalog script
    }

    @Override
    public String url(Database db) {
        ConnectionSpec spec = db.connection(); // the host, port and user defaults of libpq's environment
        return PostgresUrl.of(spec.host(), spec.port(), spec.dbname());
    }

    @Override
    public void checkConnection(Database db) {
        try (Connection c = db.connection().openOrFail(url(db), "ibex-cli", "database \"" + db.name() + "\"")) {
            Pg.serverVersion(c);
        } catch (SQLException e) {
            throw new IbexException("database \"" + db.name() + "\": " + Pg.firstLine(e));
        }
    }

    @Override
    public String replicaFunctionSql(String role) {
        return ReplicaModes.functionSql(role);
    }

    @Override
    public Target open(Database db, String applicationName) {
        Connection c = db.connection().openOrFail(url(db), applicationName, "database \"" + db.name() + "\"");
        try {
            if (SessionNames.isWriting(applicationName)) {
                ChangeSources.of(db).registerOwnSession(c); // a database that is a source too: its capture must skip what ibex writes
            }
            return new PostgresTarget(db.name(), c, replicaMode(db, c));
        } catch (SQLException e) {
            Pg.closeQuietly(c);
            throw new IbexException("database \"" + db.name() + "\": cannot register ibex's session: " + Pg.firstLine(e), e);
        } catch (RuntimeException e) {
            Pg.closeQuietly(c);
            throw e;
        }
    }

    @Override
    public String detectReplicaMode(Database db) {
        try (Connection c = db.connection().open(url(db), "ibex-status")) {
            return replicaMode(db, c).describe();
        } catch (SQLException e) {
            throw new IbexException(Pg.firstLine(e), e);
        }
    }

    /** How this database's triggers and foreign keys are held off during an apply (see ReplicaModes). */
    static ReplicaMode replicaMode(Database db, Connection c) {
        try {
            return ReplicaModes.detect(c, db.name(), db.replicaFunction(), db.replicaMode());
        } catch (SQLException e) {
            throw new IbexException("database \"" + db.name() + "\": " + Pg.firstLine(e), e);
        }
    }
}
