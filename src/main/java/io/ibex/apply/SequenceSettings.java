package io.ibex.apply;

import io.ibex.db.Pg;
import io.ibex.db.Sql;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A sequence's settings, copied with its value: increment, bounds, cycle and start. PostgreSQL 10 and later keep
 * them in pg_sequence; before 10 the sequence relation itself has them as columns.
 */
public record SequenceSettings(long increment, long min, long max, boolean cycle, long start) {

    /** The settings of a sequence on any version. */
    public static SequenceSettings read(Connection c, String schema, String name) throws SQLException {
        String seq = Sql.qualified(schema, name);
        String sql = Pg.serverVersion(c) >= 100000
                ? "SELECT seqincrement, seqmin, seqmax, seqcycle, seqstart FROM pg_catalog.pg_sequence WHERE seqrelid = "
                        + Sql.literal(seq) + "::regclass"
                : "SELECT increment_by, min_value, max_value, is_cycled, start_value FROM " + seq;
        return Pg.query(c, sql, rs -> new SequenceSettings(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getBoolean(4), rs.getLong(5))).get(0);
    }

    /**
     * These settings as a sequence on the given database can hold them: from PostgreSQL 10 on a sequence has a
     * type (a serial column's is integer), and bounds beyond it are cut to the type's (a 9.x source's serial has
     * bigint's bounds, which are its type's defaults there too).
     */
    public SequenceSettings fittedTo(Connection c, String schema, String name) throws SQLException {
        if (Pg.serverVersion(c) < 100000) {
            return this;
        }
        String type = Pg.queryString(c, "SELECT seqtypid::regtype::text FROM pg_catalog.pg_sequence WHERE seqrelid = "
                + Sql.literal(Sql.qualified(schema, name)) + "::regclass");
        long lowest = "smallint".equals(type) ? Short.MIN_VALUE : "integer".equals(type) ? Integer.MIN_VALUE : Long.MIN_VALUE;
        long highest = "smallint".equals(type) ? Short.MAX_VALUE : "integer".equals(type) ? Integer.MAX_VALUE : Long.MAX_VALUE;
        return new SequenceSettings(increment, Math.max(min, lowest), Math.min(max, highest), cycle, Math.max(lowest, Math.min(start, highest)));
    }

    /**
     * The ALTER SEQUENCE that gives a sequence these settings and restarts it at value (so that its current value
     * never lies outside the new bounds); setval then sets is_called. Runs on 8.4 and later.
     */
    String alter(String schema, String name, long value) {
        return "ALTER SEQUENCE " + Sql.qualified(schema, name) + " INCREMENT BY " + increment + " MINVALUE " + min + " MAXVALUE " + max
                + " START WITH " + start + " RESTART WITH " + value + (cycle ? " CYCLE" : " NO CYCLE");
    }

    @Override
    public String toString() {
        return "increment " + increment + ", min " + min + ", max " + max + ", start " + start + (cycle ? ", cycle" : ", no cycle");
    }
}
