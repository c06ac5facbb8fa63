package io.ibex.capture;

import io.ibex.db.Pg;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/** The transactions in progress in the current snapshot, and which txids have ended by then. */
record TxidProgress(long xmin, long xmax, Set<Long> inProgress) {

    static TxidProgress read(Connection c) throws SQLException {
        return parse(Pg.queryString(c, "SELECT txid_current_snapshot()::text"));
    }

    static TxidProgress parse(String snapshot) {
        String[] parts = snapshot.split(":", -1);
        Set<Long> xip = new HashSet<>();
        if (parts.length > 2 && !parts[2].isEmpty()) {
            for (String x : parts[2].split(",")) {
                xip.add(Long.parseLong(x));
            }
        }
        return new TxidProgress(Long.parseLong(parts[0]), Long.parseLong(parts[1]), xip);
    }

    boolean ended(long txid) {
        return txid < xmin || (txid < xmax && !inProgress.contains(txid));
    }
}
