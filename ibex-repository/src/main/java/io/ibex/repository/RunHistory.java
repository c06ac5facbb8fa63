package io.ibex.repository;

import io.ibex.db.Pg;
import io.ibex.model.SyncRun;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import static io.ibex.repository.Jdbc.call;

/** Table {@code ibex.syncrun}: the runs of each sync and lane, and the kicks each run answers. */
public final class RunHistory {

    private final Connection c;

    public RunHistory(Connection c) {
        this.c = c;
    }

    /** target is the database this run serves, or null for a run that serves every database of the sync. */
    public long startRun(String sync, String target, String state) {
        return startRun(sync, target, state, List.of());
    }

    /**
     * Records a run that begins, if the sync is active; returns its id, or 0 for an inactive sync (deactivated since
     * the daemon last read it: by a conflict abort or 'ibex deactivate'), which must not run. kicks: the tickets of
     * the kicks this run answers (see {@link #kickTicket()}).
     */
    public long startRun(String sync, String target, String state, List<Long> kicks) {
        return call(() -> Pg.query(c, "INSERT INTO ibex.syncrun (sync, target, state, kicks) SELECT ?, ?, ?, ? "
                        + "WHERE EXISTS (SELECT 1 FROM ibex.sync WHERE name = ? AND status = 'active') RETURNING id",
                rs -> rs.getLong(1), sync, target, state, c.createArrayOf("bigint", kicks.toArray()), sync)).stream().findFirst().orElse(0L);
    }

    /** A number no other kick has: the txid of the kick's own transaction. */
    public long kickTicket() {
        return call(() -> Pg.queryLong(c, "SELECT txid_current()"));
    }

    /** For each lane (target) of a sync, its first run that answers the kick with this ticket and has ended. */
    public List<SyncRun> runsAnswering(String sync, long ticket) {
        return call(() -> Pg.query(c, "SELECT DISTINCT ON (coalesce(target, '')) * FROM ibex.syncrun WHERE sync = ? AND ? = ANY (kicks) "
                + "AND ended IS NOT NULL ORDER BY coalesce(target, ''), id", RunHistory::run, sync, ticket));
    }

    public void runState(long runId, String state) {
        call(() -> Pg.update(c, "UPDATE ibex.syncrun SET state = ? WHERE id = ?", state, runId));
    }

    public void finishRun(long runId, String outcome, long deletes, long inserts, long conflicts, long truncates, String error) {
        call(() -> Pg.update(c, "UPDATE ibex.syncrun SET ended = clock_timestamp(), outcome = ?, state = ?, deletes = ?, inserts = ?, "
                        + "conflicts = ?, truncates = ?, error = ? WHERE id = ?", outcome,
                "good".equals(outcome) || "empty".equals(outcome) ? "Good" : "Bad", deletes, inserts, conflicts, truncates, error, runId));
    }

    /** Runs that ended with the given outcome, newest first. */
    public Optional<SyncRun> lastRun(String sync, String... outcomes) {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.syncrun WHERE sync = ? AND outcome = ANY (?) ORDER BY id DESC LIMIT 1",
                RunHistory::run, sync, c.createArrayOf("text", outcomes))).stream().findFirst();
    }

    public Optional<SyncRun> lastRun(String sync) {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.syncrun WHERE sync = ? ORDER BY id DESC LIMIT 1",
                RunHistory::run, sync)).stream().findFirst();
    }

    /** The newest run of each lane (target) of a sync. */
    public List<SyncRun> latestRunPerLane(String sync) {
        return call(() -> Pg.query(c, "SELECT DISTINCT ON (coalesce(target, '')) * FROM ibex.syncrun WHERE sync = ? "
                + "ORDER BY coalesce(target, ''), id DESC", RunHistory::run, sync));
    }

    /** Ends runs left open by a daemon that died, so that status does not show them as running forever. */
    public int closeAbandonedRuns() {
        return call(() -> Pg.update(c, "UPDATE ibex.syncrun SET ended = clock_timestamp(), outcome = 'bad', state = 'Bad', "
                + "error = 'interrupted: the daemon stopped during this run' WHERE ended IS NULL"));
    }

    /**
     * The runs left open by daemons gone: those of syncs no other daemon holds an unexpired lease on (a daemon that
     * starts), or of one sync (a daemon that just took its lease over).
     */
    public int closeAbandonedRuns(String daemon, String sync) {
        return call(() -> Pg.update(c, "UPDATE ibex.syncrun r SET ended = clock_timestamp(), outcome = 'bad', state = 'Bad', "
                + "error = 'interrupted: the daemon stopped during this run' WHERE r.ended IS NULL AND (?::text IS NULL OR r.sync = ?)"
                + " AND NOT EXISTS (SELECT 1 FROM ibex.sync_lease l WHERE l.sync = r.sync AND l.owner <> ?"
                + " AND l.expires_at > clock_timestamp())", sync, sync, daemon));
    }

    /** Keeps the history bounded: empty runs older than an hour go, except the newest of each sync. */
    public int pruneRuns() {
        return call(() -> Pg.update(c, "DELETE FROM ibex.syncrun r WHERE outcome = 'empty' AND ended < now() - interval '1 hour' "
                + "AND id < (SELECT max(id) FROM ibex.syncrun x WHERE x.sync = r.sync AND x.outcome = 'empty' "
                + "AND x.target IS NOT DISTINCT FROM r.target)"));
    }

    private static SyncRun run(ResultSet rs) throws SQLException {
        return new SyncRun(rs.getLong("id"), rs.getString("sync"), rs.getString("target"), rs.getObject("started", OffsetDateTime.class),
                rs.getObject("ended", OffsetDateTime.class), rs.getString("state"), rs.getString("outcome"),
                rs.getLong("deletes"), rs.getLong("inserts"), rs.getLong("conflicts"), rs.getLong("truncates"), rs.getString("error"));
    }
}
