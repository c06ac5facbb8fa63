package io.ibex.capture;

import io.ibex.IbexException;
import io.ibex.db.ConnectionSpec;
import io.ibex.db.Pg;
import io.ibex.repository.Relation;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** How many recorded changes a consumer has not received yet: those not visible in its position's snapshot. */
public final class Backlog {
    private Backlog() {
    }

    public static long count(ConnectionSpec source, List<Relation> tables, String position) {
        try (Connection c = source.open("ibex-status")) {
            return count(c, tables, new Snapshot(position));
        } catch (SQLException e) {
            throw new IbexException("cannot read the backlog on " + source.describe() + ": " + Pg.firstLine(e));
        }
    }

    public static long count(Connection c, List<Relation> tables, Snapshot position) throws SQLException {
        long total = 0;
        for (Relation r : tables) {
            if (!CaptureInstaller.isCaptured(c, r.schema(), r.name())) {
                continue;
            }
            total += Pg.queryLong(c, "SELECT " + ChangeRows.of(c, r.schema(), r.name()).count("ibex_txid >= " + position.xmin()
                    + " AND NOT txid_visible_in_snapshot(ibex_txid, " + position.literal() + ")", 0));
        }
        return total;
    }
}
