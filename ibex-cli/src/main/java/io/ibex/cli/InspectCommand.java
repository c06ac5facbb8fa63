package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.api.ObjectType;
import io.ibex.model.TableInfo;
import io.ibex.engine.SyncPlan;
import io.ibex.model.Database;
import io.ibex.model.Relation;
import io.ibex.model.Sync;

import java.util.ArrayList;
import java.util.List;

import static io.ibex.cli.Formats.pad;

/** {@code ibex inspect table NAME} and {@code ibex inspect sync NAME}. */
final class InspectCommand {
    private InspectCommand() {
    }

    static int run(Context ctx, List<String> rest) {
        if (rest.isEmpty()) {
            throw new IbexException("inspect: say what to inspect: table or sync, then its name");
        }
        ObjectType type = ObjectType.parse(rest.get(0));
        Words w = Words.of(rest.subList(1, rest.size()));
        String label = type == ObjectType.SEQUENCE ? "sequence" : type == ObjectType.SYNC ? "sync" : "table";
        String db = type == ObjectType.SYNC ? null : Commands.takeDb(w);
        Commands.noParams("inspect " + label, w);
        if (type != ObjectType.TABLE && type != ObjectType.SEQUENCE && type != ObjectType.SYNC) {
            throw new IbexException("inspect: only a table (or sequence) or a sync can be inspected");
        }
        if (w.names().isEmpty()) {
            throw new IbexException("inspect " + label + ": name the " + label + " to inspect");
        }
        String name = w.names().remove(0);
        Commands.noMoreNames("inspect " + label, w.names());
        List<String> lines = type == ObjectType.SYNC ? sync(ctx.ibex().validate(name)) : table(ctx.ibex().inspectTable(name, db));
        lines.forEach(ctx::print);
        return Main.OK;
    }

    /** The table, its database, key, columns on the database, relgroups and syncs. */
    static List<String> table(Ibex.TableInspection t) {
        Relation r = t.relation();
        List<String> out = new ArrayList<>();
        out.add((r.isSequence() ? "Sequence: " : "Table: ") + r.qualifiedName());
        out.add("Database: " + r.db());
        if (!r.isSequence()) {
            out.add("Key: " + (r.hasKey() ? Formats.key(r.keyColumns(), r.keyTypes())
                    : "none (only a sync with fullcopy targets can copy it)"));
            if (t.info() == null) {
                out.add("Columns: unknown: the table is not found on database " + r.db());
            } else {
                TableInfo info = t.info();
                out.add("Columns (" + info.columns().size() + "):");
                int width = Formats.width(info.columnNames());
                for (TableInfo.Column c : info.columns()) {
                    out.add(("  " + pad(c.name(), width) + "  " + c.type() + (info.keyColumns().contains(c.name()) ? "  (key)" : ""))
                            .stripTrailing());
                }
            }
        }
        List<String> options = new ArrayList<>();
        if (r.autokick() != null) {
            options.add("autokick=" + Formats.onOff(r.autokick()));
        }
        if (r.makedelta() != null) {
            options.add("makedelta=" + Formats.onOff(r.makedelta()));
        }
        if (r.rebuildIndex() != null) {
            options.add("rebuild_index=" + r.rebuildIndex());
        }
        if (r.analyzeAfterCopy() != null) {
            options.add("analyze_after_copy=" + Formats.onOff(r.analyzeAfterCopy()));
        }
        if (!options.isEmpty()) {
            out.add("Options: " + String.join(" ", options));
        }
        out.add("Relgroups: " + (t.relgroups().isEmpty() ? "none" : String.join(", ", t.relgroups())));
        out.add("Syncs: " + (t.syncs().isEmpty() ? "none" : String.join(", ", t.syncs())));
        return out;
    }

    /** The sync as validate resolved it: tables, sources, targets with their roles and replica modes, options. */
    static List<String> sync(Ibex.Validation v) {
        SyncPlan plan = v.plan();
        Sync s = plan.sync();
        List<String> out = new ArrayList<>();
        out.add("Sync: " + s.name() + "  [" + (s.active() ? "Active" : "Inactive") + (s.paused() ? ", paused" : "") + "]");
        out.add("Relgroup: " + s.relgroup() + "  Dbgroup: " + s.dbgroup());
        List<String> dbNames = new ArrayList<>(plan.sources().stream().map(Database::name).toList());
        plan.targets().forEach(m -> dbNames.add(m.db().name()));
        int width = Formats.width(dbNames);
        out.add("Sources:");
        for (Database db : plan.sources()) {
            out.add("  " + pad(db.name(), width) + "  source    " + Formats.psql(db) + mode(v, db.name()));
        }
        out.add("Targets:" + (plan.targets().isEmpty() ? " none" : ""));
        for (SyncPlan.Member m : plan.targets()) {
            out.add("  " + pad(m.db().name(), width) + "  " + pad(m.role().label(), 8) + "  " + Formats.psql(m.db()) + mode(v, m.db().name()));
        }
        out.add("Tables (" + plan.tables().size() + "):" + (plan.tables().isEmpty() ? " none" : ""));
        int tw = Formats.width(plan.tables().stream().map(t -> t.info().qualifiedName()).toList());
        for (SyncPlan.Table t : plan.tables()) {
            out.add("  " + pad(t.info().qualifiedName(), tw) + "  key: " + Formats.key(t.info().keyColumns(), t.info().keyTypes())
                    + "  " + t.info().columns().size() + (t.info().columns().size() == 1 ? " column" : " columns"));
        }
        out.add("Sequences (" + plan.sequences().size() + "):" + (plan.sequences().isEmpty() ? " none"
                : " " + String.join(", ", plan.sequences().stream().map(Relation::qualifiedName).toList())));
        out.add("Options: " + Formats.syncOptions(s));
        return out;
    }

    /** How a receiving database holds off its triggers and foreign keys while ibex applies changes. */
    private static String mode(Ibex.Validation v, String db) {
        String m = v.replicaModes() == null ? null : v.replicaModes().get(db);
        return m == null ? "" : "  (triggers and foreign keys held off by " + m + ")";
    }
}
