package io.ibex.repository;

import io.ibex.db.Pg;

import java.sql.Connection;
import java.time.OffsetDateTime;
import java.util.List;

import static io.ibex.repository.Jdbc.call;
import static io.ibex.repository.Jdbc.strings;

/** Table {@code ibex.conflict}: the conflicts multi-source syncs resolved. */
public final class ConflictLog {

    private final Connection c;

    ConflictLog(Connection c) {
        this.c = c;
    }

    public void recordConflict(Conflict k) {
        call(() -> Pg.update(c, "INSERT INTO ibex.conflict (sync, run, tablename, key, dbs, winner, strategy) VALUES (?, ?, ?, ?, ?, ?, ?)",
                k.sync(), k.run(), k.table(), k.key(), c.createArrayOf("text", k.dbs().toArray()), k.winner(), k.strategy()));
    }

    /** The newest conflicts first; sync null for every sync's. */
    public List<Conflict> conflicts(String sync, int limit) {
        return call(() -> Pg.query(c, "SELECT sync, run, tablename, key, dbs, winner, strategy, at FROM ibex.conflict "
                        + "WHERE (?::text IS NULL OR sync = ?) ORDER BY id DESC LIMIT ?",
                rs -> new Conflict(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), strings(rs.getArray(5)),
                        rs.getString(6), rs.getString(7), rs.getObject(8, OffsetDateTime.class)), sync, sync, limit));
    }
}
