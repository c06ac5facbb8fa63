package io.ibex.repository;

import io.ibex.db.Pg;

import java.sql.Connection;
import java.time.OffsetDateTime;
import java.util.List;

import static io.ibex.repository.Jdbc.call;

/**
 * Tables {@code ibex.held_table}, {@code ibex.ddl_queue} and {@code ibex.ddl_applied}: the tables a consumer holds
 * because their schema differs, and the statements 'ibex ddl' queued for the targets (README, "Schema changes").
 */
public final class SchemaChanges {

    private final Connection c;

    SchemaChanges(Connection c) {
        this.c = c;
    }

    /** A table one consumer does not apply: its changes from position {@code since} on wait for it. */
    public record Held(String sync, String sourceDb, String targetDb, String table, String since, String reason, String fix,
                       OffsetDateTime heldAt) {
    }

    /** A statement 'ibex ddl' ran on a source, with the point of the source's change stream where it committed. */
    public record Queued(long id, String sync, String sourceDb, String point, String statement) {
    }

    /** The held tables of a sync (null: of every sync). */
    public List<Held> held(String sync) {
        return call(() -> Pg.query(c, "SELECT sync, source_db, target_db, tablename, since, reason, fix, held_at FROM ibex.held_table "
                        + "WHERE (?::text IS NULL OR sync = ?) ORDER BY sync, target_db, tablename",
                rs -> new Held(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                        rs.getString(7), rs.getObject(8, OffsetDateTime.class)), sync, sync));
    }

    /** Holds a table for a consumer; a table held already keeps its first position and gets the new reason. */
    public void hold(String sync, String sourceDb, String targetDb, String table, String since, String reason, String fix) {
        call(() -> {
            int n = Pg.update(c, "UPDATE ibex.held_table SET reason = ?, fix = ? WHERE sync = ? AND source_db = ? AND target_db = ? "
                    + "AND tablename = ?", reason, fix, sync, sourceDb, targetDb, table);
            if (n == 0) {
                Pg.update(c, "INSERT INTO ibex.held_table (sync, source_db, target_db, tablename, since, reason, fix) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)", sync, sourceDb, targetDb, table, since, reason, fix);
            }
            return null;
        });
    }

    public void release(String sync, String sourceDb, String targetDb, String table) {
        call(() -> Pg.update(c, "DELETE FROM ibex.held_table WHERE sync = ? AND source_db = ? AND target_db = ? AND tablename = ?",
                sync, sourceDb, targetDb, table));
    }

    /** Queues a statement run on a source at the given point, for every target of the sync. */
    public long queue(String sync, String sourceDb, String point, String statement) {
        return call(() -> Pg.queryLong(c, "INSERT INTO ibex.ddl_queue (sync, source_db, point, statement) VALUES (?, ?, ?, ?) RETURNING id",
                sync, sourceDb, point, statement));
    }

    /** The queued statements of a sync's source that a target has not applied yet, in the order they ran. */
    public List<Queued> pending(String sync, String sourceDb, String targetDb) {
        return call(() -> Pg.query(c, "SELECT q.id, q.sync, q.source_db, q.point, q.statement FROM ibex.ddl_queue q WHERE q.sync = ? "
                        + "AND q.source_db = ? AND NOT EXISTS (SELECT 1 FROM ibex.ddl_applied a WHERE a.ddl = q.id AND a.target_db = ?) "
                        + "ORDER BY q.id", rs -> new Queued(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)),
                sync, sourceDb, targetDb));
    }

    public void applied(long id, String targetDb) {
        call(() -> Pg.update(c, "INSERT INTO ibex.ddl_applied (ddl, target_db) VALUES (?, ?)", id, targetDb));
    }

    /** The sync's ddl setting: auto (added columns followed) or hold. */
    public String ddlMode(String sync) {
        return call(() -> {
            String mode = Pg.queryString(c, "SELECT ddl FROM ibex.sync WHERE name = ?", sync);
            return mode == null ? "auto" : mode;
        });
    }

    public void setDdlMode(String sync, String mode) {
        call(() -> Pg.update(c, "UPDATE ibex.sync SET ddl = ? WHERE name = ?", mode, sync));
    }
}
