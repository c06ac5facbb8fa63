package io.ibex.engine;

import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.Relation;
import io.ibex.repository.Repository;
import io.ibex.model.Role;
import io.ibex.model.Sync;
import io.ibex.spi.ChangeSource;
import io.ibex.spi.ChangeSources;
import io.ibex.spi.Position;
import io.ibex.spi.PositionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Deletes the changes that every consumer of a table has received: those the earliest position among the syncs
 * that read the table has passed (the source's capture says which those are). A table that a sync reads but whose
 * target has been away keeps its changes, and status shows them as backlog.
 */
public final class Purger {

    private static final Logger log = LoggerFactory.getLogger(Purger.class);

    private Purger() {
    }

    /** Returns the number of change rows deleted over every source. */
    public static long purge(Repository repo) {
        PositionStore positions = new RepositoryPositions(repo);
        // per source database and table: the earliest position among those that read it
        Map<String, Map<String, Position>> horizon = new HashMap<>();
        Map<String, Position> truncateHorizon = new HashMap<>();
        Map<String, ChangeSource> captures = new HashMap<>();
        for (Sync s : repo.syncs()) {
            DbGroup g = repo.requireDbGroup(s.dbgroup());
            var members = repo.requireRelGroup(s.relgroup()).members();
            for (PositionStore.Stored p : positions.all()) {
                if (!p.sync().equals(s.name()) || !g.dbsWithRole(Role.SOURCE).contains(p.sourceDb())) {
                    continue;
                }
                ChangeSource capture = captures.computeIfAbsent(p.sourceDb(), n -> ChangeSources.of(repo.requireDatabase(n)));
                truncateHorizon.merge(p.sourceDb(), p.position(), capture::earliest);
                for (Relation r : members) {
                    if (!r.isSequence()) {
                        horizon.computeIfAbsent(p.sourceDb(), k -> new HashMap<>()).merge(r.schema() + "\u0000" + r.name(), p.position(),
                                capture::earliest);
                    }
                }
            }
        }
        // a table held by a schema change keeps its changes from where the hold began (see SchemaGate)
        for (var h : repo.schemaChanges().held(null)) {
            ChangeSource capture = captures.computeIfAbsent(h.sourceDb(), n -> ChangeSources.of(repo.requireDatabase(n)));
            Position since = io.ibex.spi.ChangeSources.codec().decode(h.since());
            truncateHorizon.merge(h.sourceDb(), since, capture::earliest);
            String[] st = h.table().split("\\.", 2);
            horizon.computeIfAbsent(h.sourceDb(), k -> new HashMap<>()).merge(st[0] + "\u0000" + st[1], since, capture::earliest);
        }
        repo.commit();
        long total = 0;
        for (var entry : horizon.entrySet()) {
            Database db = repo.requireDatabase(entry.getKey());
            ChangeSource capture = ChangeSources.of(db);
            try (Connection c = db.connection().open("ibex-purge")) {
                for (var t : entry.getValue().entrySet()) {
                    String[] st = t.getKey().split("\u0000", 2);
                    total += capture.release(c, st[0], st[1], t.getValue());
                }
                Position th = truncateHorizon.get(entry.getKey());
                if (th != null) {
                    capture.releaseTruncates(c, th);
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
