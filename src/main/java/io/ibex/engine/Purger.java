package io.ibex.engine;

import io.ibex.capture.CaptureInstaller;
import io.ibex.capture.Snapshot;
import io.ibex.db.Pg;
import io.ibex.repository.Database;
import io.ibex.repository.DbGroup;
import io.ibex.repository.Relation;
import io.ibex.repository.Repository;
import io.ibex.repository.Role;
import io.ibex.repository.Sync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Deletes the changes that every consumer of a table has received: a change whose transaction id is below the
 * xmin of the oldest position among the syncs that read the table is visible (or aborted) in all of them.
 * A table that a sync reads but whose target has been away keeps its changes, and status shows them as backlog.
 */
public final class Purger {

    private static final Logger log = LoggerFactory.getLogger(Purger.class);

    private Purger() {
    }

    /** Returns the number of change rows deleted over every source. */
    public static long purge(Repository repo) {
        // per source database and table: the oldest xmin among the positions that read it
        Map<String, Map<String, Long>> horizon = new HashMap<>();
        Map<String, Long> truncateHorizon = new HashMap<>();
        for (Sync s : repo.syncs()) {
            DbGroup g = repo.requireDbGroup(s.dbgroup());
            var members = repo.requireRelGroup(s.relgroup()).members();
            for (Repository.Position p : repo.positions()) {
                if (!p.sync().equals(s.name()) || !g.dbsWithRole(Role.SOURCE).contains(p.sourceDb())) {
                    continue;
                }
                long xmin = new Snapshot(p.snapshot()).xmin();
                truncateHorizon.merge(p.sourceDb(), xmin, Math::min);
                for (Relation r : members) {
                    if (!r.isSequence()) {
                        horizon.computeIfAbsent(p.sourceDb(), k -> new HashMap<>()).merge(r.schema() + "\u0000" + r.name(), xmin, Math::min);
                    }
                }
            }
        }
        repo.commit();
        long total = 0;
        for (var entry : horizon.entrySet()) {
            Database db = repo.requireDatabase(entry.getKey());
            try (Connection c = db.connection().open("ibex-purge")) {
                for (var t : entry.getValue().entrySet()) {
                    String[] st = t.getKey().split("\u0000", 2);
                    if (CaptureInstaller.isCaptured(c, st[0], st[1])) {
                        total += Pg.update(c, "DELETE FROM " + CaptureInstaller.names(st[0], st[1]).qualifiedDelta()
                                + " WHERE ibex_txid < " + t.getValue());
                    }
                }
                Long th = truncateHorizon.get(entry.getKey());
                if (th != null && Pg.exists(c, "SELECT 1 FROM pg_namespace WHERE nspname = ?", CaptureInstaller.SCHEMA)) {
                    Pg.update(c, "DELETE FROM " + CaptureInstaller.SCHEMA + ".truncated WHERE txid < " + th);
                }
            } catch (SQLException e) {
                log.debug("MCP Cannot purge on database \"{}\": {}", db.name(), Pg.firstLine(e));
            }
        }
        if (total > 0) {
            log.info("VAC Purged {} replicated change rows", total);
        }
        return total;
    }
}
