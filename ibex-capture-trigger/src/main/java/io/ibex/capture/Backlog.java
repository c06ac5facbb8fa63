package io.ibex.capture;

import io.ibex.db.Pg;
import io.ibex.model.Relation;
import io.ibex.spi.Pending;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * Per captured table, the changes not visible in the position's snapshot (so committed after it: an open
     * transaction's rows are not visible to this read either) and the age of the oldest, both in one query.
     * ibex_changed is the source's clock_timestamp() at the change, so the age never mixes two machines' clocks.
     */
    static Map<Relation, Pending> pending(Connection c, List<Relation> tables, TxidSnapshotPosition position) throws SQLException {
        Map<Relation, Pending> out = new LinkedHashMap<>();
        String predicate = "ibex_txid >= " + position.xmin() + " AND NOT txid_visible_in_snapshot(ibex_txid, " + position.literal() + ")";
        for (Relation r : tables) {
            if (!CaptureInstaller.isCaptured(c, r.schema(), r.name())) {
                continue;
            }
            ChangeRows rows = ChangeRows.of(c, r.schema(), r.name());
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT " + rows.count(predicate, 0) + ", " + rows.oldestAge(predicate))) {
                rs.next();
                out.put(r, new Pending(rs.getLong(1), Math.max(0, rs.getDouble(2))));
            }
        }
        return out;
    }
}
