package io.ibex.catalog;

import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.spi.SequenceSettings;

import java.sql.Connection;
import java.sql.SQLException;

/** Reads a sequence's settings: PostgreSQL 10 and later keep them in pg_sequence; before 10 the sequence relation itself has them as columns. */
public final class SequenceCatalog {
    private SequenceCatalog() {
    }

    /** The settings of a sequence on any version. */
    public static SequenceSettings read(Connection c, String schema, String name) throws SQLException {
        String seq = Sql.qualified(schema, name);
        String sql = Pg.serverVersion(c) >= 100000
                ? "SELECT seqincrement, seqmin, seqmax, seqcycle, seqstart FROM pg_catalog.pg_sequence WHERE seqrelid = "
                        + Sql.literal(seq) + "::regclass"
                : "SELECT increment_by, min_value, max_value, is_cycled, start_value FROM " + seq;
        return Pg.query(c, sql, rs -> new SequenceSettings(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getBoolean(4), rs.getLong(5))).get(0);
    }
}
