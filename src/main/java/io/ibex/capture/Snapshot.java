package io.ibex.capture;

import io.ibex.db.Sql;

/**
 * A txid_snapshot as text ("xmin:xmax:xip,..."). A change recorded by transaction X is part of snapshot S when
 * txid_visible_in_snapshot(X, S): X committed before S was taken.
 */
public record Snapshot(String text) {

    public long xmin() {
        return Long.parseLong(text.substring(0, text.indexOf(':')));
    }

    public long xmax() {
        int first = text.indexOf(':');
        return Long.parseLong(text.substring(first + 1, text.indexOf(':', first + 1)));
    }

    public String literal() {
        return Sql.literal(text) + "::txid_snapshot";
    }

    @Override
    public String toString() {
        return text;
    }
}
