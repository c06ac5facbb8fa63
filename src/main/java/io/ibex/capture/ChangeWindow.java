package io.ibex.capture;

import io.ibex.db.Sql;

/**
 * The changes a consumer takes in one batch: those of transactions visible in the current snapshot and not
 * visible in the previous one (docs/design.md argues why this neither skips nor repeats a transaction).
 * Changes that the consuming sync applied itself (recorded only with makedelta) are left out.
 */
public record ChangeWindow(Snapshot previous, Snapshot current, String ownOrigin) {

    /** A WHERE clause over a change table or the truncate log, whose txid column is given. */
    public String predicate(String txidColumn, String originColumn) {
        return txidColumn + " >= " + previous.xmin() + " AND " + txidColumn + " < " + current.xmax()
                + " AND txid_visible_in_snapshot(" + txidColumn + ", " + current.literal() + ")"
                + " AND NOT txid_visible_in_snapshot(" + txidColumn + ", " + previous.literal() + ")"
                + " AND (" + originColumn + " IS NULL OR " + originColumn + " <> " + Sql.literal(ownOrigin) + ")";
    }

    public boolean isEmpty() {
        return previous.equals(current);
    }
}
