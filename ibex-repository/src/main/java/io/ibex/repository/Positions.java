package io.ibex.repository;

import io.ibex.db.Pg;

import java.sql.Connection;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import static io.ibex.repository.Jdbc.call;

/**
 * Table {@code ibex.position}: each consumer's position (a source's snapshot as one lane of a sync has applied it),
 * as text the engine encodes, and whether that lane has had its onetimecopy.
 */
public final class Positions {

    public record Entry(String sync, String sourceDb, String targetDb, String snapshot, OffsetDateTime updated) {
    }

    private final Connection c;

    /** Run before every position write, in its transaction: a daemon's lease check (see Leases#stillMine). */
    private volatile Runnable guard = () -> { };

    /** guard: throws when this session may not move a position any more (a daemon that lost its lease). */
    public void guardWrites(Runnable guard) {
        this.guard = guard;
    }

    Positions(Connection c) {
        this.c = c;
    }

    public Optional<String> position(String sync, String sourceDb, String targetDb) {
        return Optional.ofNullable(call(() -> Pg.queryString(c,
                "SELECT snapshot FROM ibex.position WHERE sync = ? AND source_db = ? AND target_db = ?", sync, sourceDb, targetDb)));
    }

    public void savePosition(String sync, String sourceDb, String targetDb, String snapshot) {
        guard.run();
        call(() -> {
            if (Pg.update(c, "UPDATE ibex.position SET snapshot = ?, updated = now() WHERE sync = ? AND source_db = ? AND target_db = ?",
                    snapshot, sync, sourceDb, targetDb) == 0) {
                Pg.update(c, "INSERT INTO ibex.position (sync, source_db, target_db, snapshot) VALUES (?, ?, ?, ?)",
                        sync, sourceDb, targetDb, snapshot);
            }
            return null;
        });
    }

    public List<Entry> all() {
        return call(() -> Pg.query(c, "SELECT sync, source_db, target_db, snapshot, updated FROM ibex.position ORDER BY 1, 2, 3",
                rs -> new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getObject(5, OffsetDateTime.class))));
    }

    public boolean copied(String sync, String sourceDb, String targetDb) {
        return call(() -> Pg.exists(c, "SELECT 1 FROM ibex.position WHERE sync = ? AND source_db = ? AND target_db = ? AND copied",
                sync, sourceDb, targetDb));
    }

    public void markCopied(String sync, String sourceDb, String targetDb) {
        guard.run();
        call(() -> Pg.update(c, "UPDATE ibex.position SET copied = true WHERE sync = ? AND source_db = ? AND target_db = ?",
                sync, sourceDb, targetDb));
    }

    /** Every target of the sync has had its onetimecopy. */
    public boolean allCopied(String sync) {
        return call(() -> !Pg.exists(c, "SELECT 1 FROM ibex.position WHERE sync = ? AND NOT copied", sync));
    }

    /** A new onetimecopy request: every target copies again. */
    public void resetCopied(String sync) {
        call(() -> Pg.update(c, "UPDATE ibex.position SET copied = false WHERE sync = ?", sync));
    }
}
