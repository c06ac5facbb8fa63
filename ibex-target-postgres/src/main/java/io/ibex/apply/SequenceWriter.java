package io.ibex.apply;

import io.ibex.catalog.SequenceCatalog;
import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.spi.SequenceSettings;

import java.sql.Connection;
import java.sql.SQLException;

/** Sets a sequence on a PostgreSQL target to a value, is_called and settings, outside any batch. */
final class SequenceWriter {
    private SequenceWriter() {
    }

    /** Returns false if the sequence had them already. Commits. */
    static boolean set(Connection c, String schema, String name, long lastValue, boolean isCalled, SequenceSettings settings) throws SQLException {
        String seq = Sql.qualified(schema, name);
        SequenceSettings wanted = fittedTo(c, settings, schema, name);
        boolean sameSettings = wanted.equals(SequenceCatalog.read(c, schema, name));
        boolean same = sameSettings && Pg.exists(c, "SELECT 1 FROM " + seq + " WHERE last_value = " + lastValue + " AND is_called = " + isCalled);
        if (!sameSettings) {
            Pg.exec(c, alter(wanted, schema, name, lastValue));
        }
        if (!same) {
            Pg.queryString(c, "SELECT setval(" + Sql.literal(seq) + ", " + lastValue + ", " + isCalled + ")");
        }
        c.commit();
        return !same;
    }

    /**
     * The settings as a sequence on the given database can hold them: from PostgreSQL 10 on a sequence has a
     * type (a serial column's is integer), and bounds beyond it are cut to the type's (a 9.x source's serial has
     * bigint's bounds, which are its type's defaults there too).
     */
    static SequenceSettings fittedTo(Connection c, SequenceSettings s, String schema, String name) throws SQLException {
        if (Pg.serverVersion(c) < 100000) {
            return s;
        }
        String type = Pg.queryString(c, "SELECT seqtypid::regtype::text FROM pg_catalog.pg_sequence WHERE seqrelid = "
                + Sql.literal(Sql.qualified(schema, name)) + "::regclass");
        long lowest = "smallint".equals(type) ? Short.MIN_VALUE : "integer".equals(type) ? Integer.MIN_VALUE : Long.MIN_VALUE;
        long highest = "smallint".equals(type) ? Short.MAX_VALUE : "integer".equals(type) ? Integer.MAX_VALUE : Long.MAX_VALUE;
        return new SequenceSettings(s.increment(), Math.max(s.min(), lowest), Math.min(s.max(), highest), s.cycle(),
                Math.max(lowest, Math.min(s.start(), highest)));
    }

    /**
     * The ALTER SEQUENCE that gives a sequence these settings and restarts it at value (so that its current value
     * never lies outside the new bounds); setval then sets is_called. Runs on 8.4 and later.
     */
    static String alter(SequenceSettings s, String schema, String name, long value) {
        return "ALTER SEQUENCE " + Sql.qualified(schema, name) + " INCREMENT BY " + s.increment() + " MINVALUE " + s.min() + " MAXVALUE " + s.max()
                + " START WITH " + s.start() + " RESTART WITH " + value + (s.cycle() ? " CYCLE" : " NO CYCLE");
    }
}
