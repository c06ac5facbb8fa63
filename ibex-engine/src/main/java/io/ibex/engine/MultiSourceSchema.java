package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.model.ColumnDef;
import io.ibex.model.Database;
import io.ibex.model.TableInfo;
import io.ibex.spi.ChangeReader;
import io.ibex.spi.Target;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The schema check of a sync with several sources (README, "Schema changes"): every database must have the same
 * columns in each table, each source as its run's snapshot sees it. While one differs the run stops before it reads
 * a change, naming the table, the column and the databases, so no position moves and every change waits; once every
 * database has the change (made the same way on each), the run goes on with the columns they agree on.
 */
final class MultiSourceSchema {

    private MultiSourceSchema() {
    }

    static List<SyncPlan.Table> agreed(SyncPlan plan, Map<String, ChangeReader> sessions, Map<String, Target> targets) throws SQLException {
        List<TableInfo> infos = plan.tables().stream().map(SyncPlan.Table::info).toList();
        Database first = plan.sources().get(0);
        Map<String, List<ColumnDef>> reference = sessions.get(first.name()).columns(infos);
        for (Database s : plan.sources().subList(1, plan.sources().size())) {
            Map<String, List<ColumnDef>> other = sessions.get(s.name()).columns(infos);
            for (TableInfo t : infos) {
                compare(plan, t, first.name(), reference.get(t.qualifiedName()), s.name(), other.get(t.qualifiedName()));
            }
        }
        for (var e : targets.entrySet()) {
            for (TableInfo t : infos) {
                List<ColumnDef> there = e.getValue().columns(t);
                List<ColumnDef> want = reference.get(t.qualifiedName());
                for (ColumnDef c : want == null ? List.<ColumnDef>of() : want) {
                    if (there.stream().noneMatch(x -> x.name().equals(c.name()))) {
                        throw differs(plan, t, c.name() + " " + c.type(), first.name(), e.getKey());
                    }
                }
            }
        }
        List<SyncPlan.Table> out = new ArrayList<>();
        for (SyncPlan.Table t : plan.tables()) {
            List<ColumnDef> cols = reference.get(t.info().qualifiedName());
            if (cols == null) {
                throw new IbexException("table " + t.info().qualifiedName() + " is gone from database \"" + first.name()
                        + "\" (dropped or renamed): rename it back, or remove it from the sync; its changes wait");
            }
            out.add(new SyncPlan.Table(t.relation(), SchemaDrift.shape(t.info(), cols)));
        }
        return out;
    }

    private static void compare(SyncPlan plan, TableInfo t, String aName, List<ColumnDef> a, String bName, List<ColumnDef> b) {
        if (a == null || b == null) {
            throw new IbexException("table " + t.qualifiedName() + " is gone from database \"" + (a == null ? aName : bName)
                    + "\" (dropped or renamed): rename it back, or remove it from the sync; its changes wait");
        }
        for (ColumnDef c : a) {
            ColumnDef d = b.stream().filter(x -> x.name().equals(c.name())).findFirst().orElse(null);
            if (d == null) {
                throw differs(plan, t, c.name() + " " + c.type(), aName, bName);
            }
            if (!d.type().equals(c.type())) {
                throw differs(plan, t, c.name() + " (" + c.type() + " against " + d.type() + ")", aName, bName);
            }
        }
        for (ColumnDef d : b) {
            if (a.stream().noneMatch(x -> x.name().equals(d.name()))) {
                throw differs(plan, t, d.name() + " " + d.type(), bName, aName);
            }
        }
    }

    private static IbexException differs(SyncPlan plan, TableInfo t, String column, String has, String lacks) {
        String sync = plan.sync().name();
        return new IbexException("schema change held: column " + t.qualifiedName() + "." + column + " is on database \"" + has
                + "\" and not (or not so) on \"" + lacks + "\"; a sync with several sources runs once every database has the same "
                + "columns: make the same change on each ('ibex ddl " + sync + "' runs it on every source), and the sync goes on by "
                + "itself; until then every change waits");
    }
}
