package io.ibex.capture;

import io.ibex.db.Pg;
import io.ibex.model.Relation;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** How many recorded changes a consumer has not received yet: those not visible in its position's snapshot. */
final class Backlog {
    private Backlog() {
    }

    static long count(Connection c, List<Relation> tables, TxidSnapshotPosition position) throws SQLException {
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
