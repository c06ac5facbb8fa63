package io.ibex.apply;

import io.ibex.IbexException;
import io.ibex.catalog.SourceCatalog;
import io.ibex.db.Pg;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** create_tables on a PostgreSQL target: whether a relation is there, and a schema script run in one transaction. */
final class TableCreation {
    private TableCreation() {
    }

    static boolean has(PostgresTarget target, String schema, String relation) {
        Connection c = target.connection();
        try {
            boolean found = SourceCatalog.relation(c, schema, relation).isPresent();
            c.commit();
            return found;
        } catch (SQLException e) {
            throw target.fail("cannot read the catalog", e);
        }
    }

    /** Runs the statements in one committed transaction; on an error nothing of them stays. */
    static void run(PostgresTarget target, List<String> statements) {
        Connection c = target.connection();
        String current = null;
        try {
            c.commit();
            for (String sql : statements) {
                current = sql;
                Pg.exec(c, sql);
            }
            c.commit();
        } catch (SQLException e) {
            Pg.rollbackQuietly(c);
            throw new IbexException("database \"" + target.name() + "\": cannot create the tables: " + Pg.firstLine(e)
                    + " (in: " + current + ")", e);
        }
    }
}
