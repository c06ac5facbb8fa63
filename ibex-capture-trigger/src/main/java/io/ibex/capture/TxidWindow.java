package io.ibex.capture;

import io.ibex.db.Sql;
import io.ibex.spi.ChangeWindow;

/** A change window in the trigger capture's terms: a condition on the txid and origin of a recorded change. */
final class TxidWindow {

    private TxidWindow() {
    }

    /** A WHERE clause over a change table or the truncate log, whose txid column is given. */
    static String predicate(ChangeWindow w, String txidColumn, String originColumn) {
        TxidSnapshotPosition previous = TxidSnapshotPosition.of(w.previous());
        TxidSnapshotPosition current = TxidSnapshotPosition.of(w.current());
        return txidColumn + " >= " + previous.xmin() + " AND " + txidColumn + " < " + current.xmax()
                + " AND txid_visible_in_snapshot(" + txidColumn + ", " + current.literal() + ")"
                + " AND NOT txid_visible_in_snapshot(" + txidColumn + ", " + previous.literal() + ")"
                + " AND (" + originColumn + " IS NULL OR " + originColumn + " <> " + Sql.literal(w.ownOrigin()) + ")";
    }
}
