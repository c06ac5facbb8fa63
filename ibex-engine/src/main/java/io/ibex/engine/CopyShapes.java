package io.ibex.engine;

import io.ibex.db.Pg;
import io.ibex.model.ColumnDef;
import io.ibex.model.Database;
import io.ibex.model.TableInfo;
import io.ibex.spi.ChangeReader;
import io.ibex.spi.Target;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The columns an onetimecopy copies (design.md, "Schema changes: the point in the stream", the copy): those the
 * source has in the copy's snapshot, not those the daemon planned with, so that a column added before the snapshot
 * is copied with its values; the target gets the columns it lacks before the copy. The shapes are what the schema
 * gate compares the next batches with; and each table copied is marked, so that the first batch after the copy that
 * finds a column added (after the snapshot: an ALTER TABLE that may have rewritten the table under the copy, which
 * then read it empty) copies that table whole again as of its own snapshot.
 */
final class CopyShapes {

    private static final Logger log = LoggerFactory.getLogger(CopyShapes.class);

    private CopyShapes() {
    }

    /**
     * The tables with their columns as of the session's snapshot; the columns a target lacks are added there first.
     * shapes and copied are the runner's (see SchemaGate), keyed by target and table; copying: the tables are copied
     * (else only their window is applied, and they are not marked).
     */
    static List<SyncPlan.Table> at(ChangeReader session, String sync, Database targetDb, Target target, List<SyncPlan.Table> tables,
                                   Map<String, TableInfo> shapes, Set<String> copied, boolean copying) throws SQLException {
        if (tables.isEmpty() || !TargetRegistry.installed().require(targetDb).capabilities().contains(TargetCapability.SCHEMA_CHANGES)) {
            return tables; // a target that cannot follow schema changes copies what was planned, as the gate keeps it
        }
        Map<String, List<ColumnDef>> now = session.columns(tables.stream().map(SyncPlan.Table::info).toList());
        List<SyncPlan.Table> out = new ArrayList<>();
        for (SyncPlan.Table t : tables) {
            String name = t.info().qualifiedName();
            List<ColumnDef> cols = now.get(name);
            if (t.info().selectList() != null || cols == null) { // customcols: the user's list; a table gone: the copy says so
                out.add(t);
                continue;
            }
            TableInfo shape = SchemaDrift.shape(t.info(), cols);
            List<ColumnDef> there = target.columns(t.info());
            List<ColumnDef> missing = there.isEmpty() ? List.of()
                    : cols.stream().filter(c -> there.stream().noneMatch(x -> x.name().equals(c.name()))).toList();
            if (!missing.isEmpty()) {
                String names = String.join(", ", missing.stream().map(c -> c.name() + " " + c.type()).toList());
                target.begin();
                try {
                    for (ColumnDef c : missing) {
                        target.addColumn(t.info(), c);
                    }
                    target.commit();
                } catch (RuntimeException e) {
                    target.rollback();
                    throw new io.ibex.IbexException("cannot add column(s) " + names + " of " + name + " on database \"" + targetDb.name()
                            + "\" before its copy: " + Pg.firstLine(e) + "; add them there yourself and run 'ibex activate " + sync + "'", e);
                }
                log.info("KID ({}) Added column(s) {} to {} on {} before its copy: the source has them in the copy's snapshot", sync, names,
                        name, targetDb.name());
            }
            String key = targetDb.name() + "\u0000" + name;
            shapes.put(key, shape);
            if (copying) {
                copied.add(key);
            }
            out.add(new SyncPlan.Table(t.relation(), shape));
        }
        return out;
    }
}
