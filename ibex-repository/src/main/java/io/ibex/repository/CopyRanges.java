package io.ibex.repository;

import io.ibex.db.Pg;

import java.sql.Connection;
import java.util.List;
import java.util.Optional;

import static io.ibex.repository.Jdbc.call;

/**
 * Tables {@code ibex.copy_start} and {@code ibex.copy_range}: how far a resumable onetimecopy to one target has come,
 * so that a daemon killed or a target lost during the copy resumes from what is not done (see TableCopier).
 */
public final class CopyRanges {

    /**
     * A table (lo and hi null) or a range of it (unit key: key values lo to hi; block: the source's blocks lo to hi),
     * its state (todo, started or done) and the id of the target transaction that copies it (null if not recorded).
     */
    public record Range(String table, Long lo, Long hi, String state, String unit, Long targetXid) {
        public Range(String table, Long lo, Long hi, String state) {
            this(table, lo, hi, state, "key", null);
        }

        public boolean whole() {
            return lo == null;
        }

        public boolean blocks() {
            return "block".equals(unit);
        }
    }

    private final Connection c;

    CopyRanges(Connection c) {
        this.c = c;
    }

    /** The position of the copy's first snapshot, if a copy to this target was begun and not finished. */
    public Optional<String> start(String sync, String target) {
        return call(() -> Optional.ofNullable(Pg.queryString(c, "SELECT position FROM ibex.copy_start WHERE sync = ? AND target = ?",
                sync, target)));
    }

    public void saveStart(String sync, String target, String position) {
        call(() -> Pg.update(c, "INSERT INTO ibex.copy_start (sync, target, position) VALUES (?, ?, ?)", sync, target, position));
    }

    public List<Range> ranges(String sync, String target) {
        return call(() -> Pg.query(c, "SELECT tablename, lo, hi, state, unit, target_xid FROM ibex.copy_range WHERE sync = ? AND target = ? "
                + "ORDER BY tablename, lo NULLS FIRST", rs -> new Range(rs.getString(1), (Long) rs.getObject(2), (Long) rs.getObject(3),
                rs.getString(4), rs.getString(5), (Long) rs.getObject(6)), sync, target));
    }

    /** Records a table's ranges (unit key or block), to do. */
    public void addRanges(String sync, String target, String table, String unit, List<long[]> ranges) {
        call(() -> {
            for (long[] r : ranges) {
                Pg.update(c, "INSERT INTO ibex.copy_range (sync, target, tablename, lo, hi, state, unit) VALUES (?, ?, ?, ?, ?, 'todo', ?)",
                        sync, target, table, r[0], r[1], unit);
            }
            return null;
        });
    }

    /** Sets a range's state (lo null: the whole table's, recorded if it was not). */
    public void mark(String sync, String target, String table, Long lo, String state) {
        call(() -> {
            if (lo == null) {
                if (Pg.update(c, "UPDATE ibex.copy_range SET state = ? WHERE sync = ? AND target = ? AND tablename = ? AND lo IS NULL",
                        state, sync, target, table) == 0) {
                    Pg.update(c, "INSERT INTO ibex.copy_range (sync, target, tablename, state) VALUES (?, ?, ?, ?)", sync, target, table, state);
                }
            } else {
                Pg.update(c, "UPDATE ibex.copy_range SET state = ? WHERE sync = ? AND target = ? AND tablename = ? AND lo = ?",
                        state, sync, target, table, lo);
            }
            return null;
        });
    }

    /** Marks a range started by the target transaction of that id (null: the target cannot tell its fate later). */
    public void markStarted(String sync, String target, String table, long lo, Long targetXid) {
        call(() -> Pg.update(c, "UPDATE ibex.copy_range SET state = 'started', target_xid = ? WHERE sync = ? AND target = ? AND tablename = ? "
                + "AND lo = ?", targetXid, sync, target, table, lo));
    }

    /** Forgets the copy to this target (it finished, or starts over). */
    public void clear(String sync, String target) {
        call(() -> {
            Pg.update(c, "DELETE FROM ibex.copy_range WHERE sync = ? AND target = ?", sync, target);
            return Pg.update(c, "DELETE FROM ibex.copy_start WHERE sync = ? AND target = ?", sync, target);
        });
    }
}
