package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.db.Pg;
import io.ibex.model.DaemonSnapshot;
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

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The changes recorded on sources that consumers have not received yet (status and delta). */
public final class Backlogs {

    private Backlogs() {
    }

    /** Per receiving database, its backlog; error: the message of the last count that failed (that database left out). */
    public record OfSource(Map<String, Long> backlog, String error) {
    }

    /** Per database that receives the source's changes in the sync: the changes of the tables it has not received. */
    public static OfSource ofSource(Repository repo, String sync, Database source, List<Relation> tables) {
        Map<String, Long> out = new LinkedHashMap<>();
        String error = null;
        for (PositionStore.Stored p : new RepositoryPositions(repo).all()) {
            if (p.sync().equals(sync) && p.sourceDb().equals(source.name())) {
                try {
                    out.put(p.targetDb(), count(source, tables, p.position()));
                } catch (RuntimeException e) {
                    error = e.getMessage();
                }
            }
        }
        return new OfSource(out, error);
    }

    /**
     * Per database that receives the source's changes in the sync: what it has not received, per table, and how
     * old the oldest of it is on the source's clock. A source that cannot be read gives one entry with its error.
     */
    public static List<DaemonSnapshot.Undelivered> undelivered(Repository repo, String sync, Database source, List<Relation> tables) {
        List<PositionStore.Stored> mine = new RepositoryPositions(repo).all().stream()
                .filter(p -> p.sync().equals(sync) && p.sourceDb().equals(source.name())).toList();
        List<DaemonSnapshot.Undelivered> out = new ArrayList<>();
        if (mine.isEmpty()) {
            return out;
        }
        try (Connection c = source.connection().open("ibex-status")) {
            ChangeSource capture = ChangeSources.of(source);
            for (PositionStore.Stored p : mine) {
                long rows = 0;
                double oldest = 0;
                Map<String, Long> perTable = new LinkedHashMap<>();
                for (var e : capture.pending(c, tables, p.position()).entrySet()) {
                    rows += e.getValue().rows();
                    oldest = Math.max(oldest, e.getValue().oldestSeconds());
                    perTable.put(e.getKey().qualifiedName(), e.getValue().rows());
                }
                out.add(new DaemonSnapshot.Undelivered(source.name(), p.targetDb(), rows, oldest, perTable, null));
            }
        } catch (SQLException | RuntimeException e) {
            String why = "cannot read the backlog on " + source.connection().describe() + ": " + Pg.firstLine(e);
            out.clear();
            mine.forEach(p -> out.add(new DaemonSnapshot.Undelivered(source.name(), p.targetDb(), 0, 0, Map.of(), why)));
        }
        return out;
    }

    /**
     * Per source database (those given, or every one) and table: the changes the consumer furthest behind has not
     * received.
     */
    public static Map<Database, Map<Relation, Long>> furthestBehind(Repository repo, List<String> dbs) {
        Map<String, Map<Relation, Position>> earliest = new LinkedHashMap<>();
        List<PositionStore.Stored> all = new RepositoryPositions(repo).all();
        for (Sync s : repo.syncs()) {
            DbGroup g = repo.requireDbGroup(s.dbgroup());
            List<Relation> tables = repo.requireRelGroup(s.relgroup()).members().stream().filter(r -> !r.isSequence()).toList();
            for (PositionStore.Stored p : all) {
                if (!p.sync().equals(s.name()) || !g.dbsWithRole(Role.SOURCE).contains(p.sourceDb())
                        || (!dbs.isEmpty() && !dbs.contains(p.sourceDb()))) {
                    continue;
                }
                ChangeSource capture = ChangeSources.of(repo.requireDatabase(p.sourceDb()));
                for (Relation r : tables) {
                    earliest.computeIfAbsent(p.sourceDb(), k -> new LinkedHashMap<>()).merge(r, p.position(), capture::earliest);
                }
            }
        }
        Map<Database, Map<Relation, Long>> out = new LinkedHashMap<>();
        for (var e : earliest.entrySet()) {
            Database db = repo.requireDatabase(e.getKey());
            Map<Relation, Long> counts = out.computeIfAbsent(db, k -> new LinkedHashMap<>());
            for (var t : e.getValue().entrySet()) {
                counts.put(t.getKey(), count(db, List.of(t.getKey()), t.getValue()));
            }
        }
        return out;
    }

    /** The changes of the tables on the source that a consumer at the position has not received. */
    private static long count(Database source, List<Relation> tables, Position position) {
        try (Connection c = source.connection().open("ibex-status")) {
            return ChangeSources.of(source).backlog(c, tables, position);
        } catch (SQLException e) {
            throw new IbexException("cannot read the backlog on " + source.connection().describe() + ": " + Pg.firstLine(e));
        }
    }
}
