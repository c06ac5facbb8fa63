package io.ibex.api;

import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.Relation;
import io.ibex.repository.Repository;
import io.ibex.model.Role;
import io.ibex.model.Sync;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A sync with onetimecopy=0 only carries changes: a target table that was never loaded stays empty (or holds just
 * the rows changed since), and every run is still good. These are the warnings that say so, one line per table.
 */
final class EmptyTargets {
    private static final String APP = "ibex-check";
    /** A target with fewer rows than this share of the source's, by the planner's estimates, was not loaded. */
    private static final double FAR_SMALLER = 0.10;
    /** Below this many rows on the source, estimates say too little to warn about. */
    private static final double MIN_SOURCE_ROWS = 1000;

    private EmptyTargets() {
    }

    /** The warnings for one sync; none when it copies on its own (onetimecopy 1 or 2) or a database cannot be reached. */
    static List<String> warnings(Repository repo, Sync sync) {
        List<String> out = new ArrayList<>();
        if (sync.onetimecopy() != 0) {
            return out;
        }
        DbGroup group = repo.requireDbGroup(sync.dbgroup());
        List<String> sources = group.dbsWithRole(Role.SOURCE);
        if (sources.size() != 1) {
            return out; // several sources fill each other; onetimecopy is a one-source notion
        }
        List<Relation> tables = repo.requireRelGroup(sync.relgroup()).members().stream().filter(r -> !r.isSequence()).toList();
        Database source = repo.requireDatabase(sources.get(0));
        List<io.ibex.model.CustomName> names = repo.customNames().all();
        try (Connection src = source.connection().open(APP)) {
            for (String targetName : group.dbsWithRole(Role.TARGET)) {
                Database target = repo.requireDatabase(targetName);
                try (Connection dst = target.connection().open(APP)) {
                    for (Relation r : tables) {
                        Relation onTarget = io.ibex.model.CustomName.pick(names, r.id(), targetName, sync.name())
                                .map(n -> new Relation(r.id(), r.db(), n.schema(), n.name(), r.type(), r.keyColumns(), r.keyTypes(),
                                        r.autokick(), r.makedelta(), r.rebuildIndex(), r.analyzeAfterCopy())).orElse(r);
                        String w = check(sync, r, onTarget, src, source, dst, target);
                        if (w != null) {
                            out.add(w);
                        }
                    }
                } catch (SQLException e) {
                    // an unreachable target is reported by validate and by the runs themselves
                }
            }
        } catch (SQLException e) {
            // likewise an unreachable source
        }
        return out;
    }

    /** onTarget: the table as the target has it (another name under a customname). */
    private static String check(Sync sync, Relation r, Relation onTarget, Connection src, Database source, Connection dst, Database target) {
        try {
            boolean sourceHasRows = hasRows(src, r);
            if (!sourceHasRows) {
                return null;
            }
            String fix = "; run 'ibex update sync " + sync.name() + " onetimecopy=";
            String where = "table " + r.qualifiedName() + (onTarget == r ? "" : " (as " + onTarget.qualifiedName() + ")")
                    + " on target \"" + target.name() + "\"";
            if (!hasRows(dst, onTarget)) {
                return where + " is empty while it has rows on source \"" + source.name() + "\", and sync \"" + sync.name()
                        + "\" has onetimecopy=0 (it sends only changes)" + fix + "2' to copy it";
            }
            double s = estimate(src, r);
            double t = estimate(dst, onTarget);
            if (s >= MIN_SOURCE_ROWS && t >= 0 && t < s * FAR_SMALLER) {
                return where + " has about " + (long) t + " rows against about " + (long) s + " on source \"" + source.name()
                        + "\", and sync \"" + sync.name() + "\" has onetimecopy=0 (it sends only changes)" + fix + "1' to copy it whole";
            }
            return null;
        } catch (SQLException e) {
            return null; // a missing table is for validate to report
        }
    }

    private static boolean hasRows(Connection c, Relation r) throws SQLException {
        return Pg.exists(c, "SELECT 1 FROM " + Sql.qualified(r.schema(), r.name()) + " LIMIT 1");
    }

    /** The planner's row estimate; -1 where the table was never analyzed (14 and later say -1, older 0 rows in 0 pages). */
    private static double estimate(Connection c, Relation r) throws SQLException {
        String v = Pg.queryString(c, "SELECT CASE WHEN c.relpages = 0 AND c.reltuples = 0 THEN -1 ELSE c.reltuples::float8 END"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ?", r.schema(), r.name());
        return v == null ? -1 : Double.parseDouble(v);
    }
}
