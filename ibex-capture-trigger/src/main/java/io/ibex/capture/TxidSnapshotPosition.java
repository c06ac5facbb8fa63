package io.ibex.capture;

import io.ibex.db.Sql;
import io.ibex.spi.Position;
import io.ibex.spi.PositionCodec;

/**
 * The trigger capture's position: a txid_snapshot as text ("xmin:xmax:xip,..."). A change recorded by transaction X
 * is part of snapshot S when txid_visible_in_snapshot(X, S): X committed before S was taken.
 */
public record TxidSnapshotPosition(String text) implements Position {

    public static final String KIND = PositionCodec.BARE_KIND;

    @Override
    public String kind() {
        return KIND;
    }

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

    /** A position of the trigger capture (a position of another kind cannot be read by it). */
    static TxidSnapshotPosition of(Position p) {
        if (p instanceof TxidSnapshotPosition t) {
            return t;
        }
        throw new IllegalArgumentException("the trigger capture cannot read a position of kind \"" + p.kind() + "\"");
    }

    @Override
    public String toString() {
        return text;
    }
}
