package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.model.Database;
import io.ibex.settings.Settings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.ibex.cli.Commands.quote;
import static io.ibex.cli.Formats.count;

/** {@code ibex delta}, {@code purge}, {@code set}, {@code show} and {@code sql}. */
final class MaintenanceCommands {
    private MaintenanceCommands() {
    }

    /**
     * {@code delta [DB ...]}: one line per source database and table with the changes still to deliver, then a
     * total per database (when there are several) and the grand total.
     */
    static int delta(Context ctx, List<String> rest) {
        Words w = Words.of(rest);
        Commands.noParams("delta", w);
        List<Ibex.Delta> rows = ctx.ibex().delta(List.copyOf(w.names()));
        deltaLines(rows).forEach(ctx::print);
        return Main.OK;
    }

    static List<String> deltaLines(List<Ibex.Delta> rows) {
        int dbWidth = Formats.width(rows.stream().map(Ibex.Delta::db).toList());
        int tableWidth = Formats.width(rows.stream().map(Ibex.Delta::table).toList());
        int numWidth = Formats.width(rows.stream().map(d -> count(d.rows())).toList());
        Map<String, Long> perDb = new LinkedHashMap<>();
        List<String> out = new ArrayList<>();
        for (Ibex.Delta d : rows) {
            String n = count(d.rows());
            out.add(Formats.pad(d.db(), dbWidth) + "  " + Formats.pad(d.table(), tableWidth) + "  " + " ".repeat(numWidth - n.length()) + n);
            perDb.merge(d.db(), d.rows(), Long::sum);
        }
        if (perDb.size() > 1) {
            perDb.forEach((db, n) -> out.add("Total for " + db + ": " + count(n)));
        }
        out.add("Total: " + count(perDb.values().stream().mapToLong(Long::longValue).sum()));
        return out;
    }

    /** {@code purge [all]}: deletes the change rows every consumer has received, now. */
    static int purge(Context ctx, List<String> rest) {
        Words w = Words.of(rest);
        Commands.noParams("purge", w);
        w.takeBare("all");
        Commands.noMoreNames("purge", w.names());
        long n = ctx.ibex().purge();
        ctx.say("Purged " + count(n) + (n == 1 ? " change row." : " change rows."));
        return Main.OK;
    }

    /**
     * {@code ddl SYNC "SQL"}: the words after the sync are the statement, as given (an '=' in it is no parameter).
     */
    static int ddl(Context ctx, List<String> rest) {
        if (rest.size() < 2) {
            throw new IbexException("ddl: give the sync and the statement, e.g. ibex ddl SYNC \"ALTER TABLE t ADD COLUMN c integer\"");
        }
        io.ibex.api.DdlResult r = ctx.ibex().ddl(rest.get(0), String.join(" ", rest.subList(1, rest.size())));
        ctx.say("Ran on " + String.join(", ", r.ranOn()) + (r.queuedFor().isEmpty() ? "" : "; queued for " + String.join(", ", r.queuedFor())
                + " at the point where it committed"));
        return Main.OK;
    }

    /** {@code set NAME=VALUE ...}: each setting in turn, stopping at the first that is refused. */
    static int set(Context ctx, List<String> rest) {
        Words w = Words.of(rest);
        if (!w.names().isEmpty()) {
            throw new IbexException("set: give each setting as NAME=VALUE, not " + quote(w.names().get(0))
                    + " (settings: " + String.join(", ", settingNames()) + ")");
        }
        if (w.params().isEmpty()) {
            throw new IbexException("set: give at least one NAME=VALUE, e.g. 'ibex set log_level=verbose' (settings: "
                    + String.join(", ", settingNames()) + ")");
        }
        for (Map.Entry<String, String> e : w.params().entrySet()) {
            ctx.ibex().set(e.getKey(), e.getValue());
            ctx.say("Set " + e.getKey().toLowerCase(Locale.ROOT) + " = " + e.getValue());
        }
        return Main.OK;
    }

    /** {@code show [all|NAME ...]}: {@code name = value}, aligned; exit 0. */
    static int show(Context ctx, List<String> rest) {
        Words w = Words.of(rest);
        Commands.noParams("show", w);
        Map<String, String> all = ctx.ibex().show();
        List<String> names = w.names().stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        Map<String, String> shown = new LinkedHashMap<>();
        if (names.isEmpty() || names.contains("all")) {
            shown.putAll(all);
        } else {
            for (String n : names) {
                if (!all.containsKey(n)) {
                    throw new IbexException("show: unknown setting " + quote(n) + ": one of " + String.join(", ", all.keySet()));
                }
                shown.put(n, all.get(n));
            }
        }
        int width = Formats.width(List.copyOf(shown.keySet()));
        shown.forEach((k, v) -> ctx.print(Formats.pad(k, width) + " = " + v));
        return Main.OK;
    }

    private static List<String> settingNames() {
        return List.copyOf(Settings.DEFAULTS.keySet()); // in name order
    }

    /**
     * {@code sql replica_function ROLE|db=NAME}: the SQL an administrator runs on a managed target (RDS, Cloud SQL)
     * so that ROLE may hold off triggers and foreign keys while ibex applies changes. db=NAME takes the role from
     * that database's user.
     */
    static int sql(Context ctx, List<String> rest) {
        if (rest.isEmpty()) {
            throw new IbexException("sql: say which SQL to print: replica_function (see 'ibex help sql')");
        }
        String what = rest.get(0).toLowerCase(Locale.ROOT);
        if (!what.equals("replica_function")) {
            throw new IbexException("sql: unknown script " + quote(rest.get(0)) + ": the only one is replica_function");
        }
        Words w = Words.of(rest.subList(1, rest.size()));
        Map<String, String> params = w.paramsCopy();
        String dbName = params.remove("db");
        Commands.noParams("sql replica_function", new Words(List.of(), params));
        String role;
        if (dbName != null) {
            Commands.noMoreNames("sql replica_function", w.names());
            Database db = ctx.ibex().databases().stream().filter(d -> d.name().equals(dbName)).findFirst()
                    .orElseThrow(() -> new IbexException("there is no database named " + quote(dbName)));
            role = db.user() != null ? db.user() : db.connection().user();
        } else {
            if (w.names().isEmpty()) {
                throw new IbexException("sql replica_function: name the role ibex connects to the target as, or db=NAME to take "
                        + "the user of that database, e.g. 'ibex sql replica_function db=rds96'");
            }
            role = w.names().remove(0);
            Commands.noMoreNames("sql replica_function", w.names());
        }
        ctx.print(Ibex.replicaFunctionSql(role).stripTrailing());
        return Main.OK;
    }
}
