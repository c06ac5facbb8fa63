package io.ibex.repository;

import io.ibex.db.Pg;

import java.sql.Connection;
import java.util.List;

import static io.ibex.repository.Jdbc.call;

/**
 * Table {@code ibex.pending_schema}: the statements that a copy which created its target's tables runs once the rows
 * are in: each table's keys and indexes (table set), then the foreign keys (table null). Recorded before the tables
 * are created, deleted once they have run.
 */
public final class PendingSchema {

    /** One statement, for one table's indexes or (table null) a foreign key. */
    public record Statement(String table, String sql) {
    }

    private final Connection c;

    PendingSchema(Connection c) {
        this.c = c;
    }

    /** Adds statements after those already pending for the sync's target. */
    public void add(String sync, String target, List<Statement> statements) {
        call(() -> {
            int next = (int) Pg.queryLong(c, "SELECT coalesce(max(position), 0) FROM ibex.pending_schema WHERE sync = ? AND target = ?",
                    sync, target);
            for (Statement s : statements) {
                Pg.update(c, "INSERT INTO ibex.pending_schema (sync, target, position, tablename, statement) VALUES (?, ?, ?, ?, ?)",
                        sync, target, ++next, s.table(), s.sql());
            }
            return null;
        });
    }

    public List<Statement> pending(String sync, String target) {
        return call(() -> Pg.query(c, "SELECT tablename, statement FROM ibex.pending_schema WHERE sync = ? AND target = ? ORDER BY position",
                rs -> new Statement(rs.getString(1), rs.getString(2)), sync, target));
    }

    public void clear(String sync, String target) {
        call(() -> Pg.update(c, "DELETE FROM ibex.pending_schema WHERE sync = ? AND target = ?", sync, target));
    }
}
