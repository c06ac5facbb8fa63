package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.api.ObjectType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ibex.cli.Commands.quote;

/** {@code ibex remove}, {@code ibex update}, {@code ibex activate} and {@code ibex deactivate}. */
final class ChangeCommands {
    private ChangeCommands() {
    }

    static String label(ObjectType t) {
        return switch (t) {
            case DB -> "database";
            case TABLE -> "table";
            case SEQUENCE -> "sequence";
            case RELGROUP -> "relgroup";
            case DBGROUP -> "dbgroup";
            case SYNC -> "sync";
            case ALL -> "all";
        };
    }

    /** {@code remove TYPE NAME [NAME ...] [--force]}: each name in its own transaction, stopping at the first failure. */
    static int remove(Context ctx, List<String> rest) {
        if (rest.isEmpty()) {
            throw new IbexException("remove: say what to remove: db, table, sequence, relgroup, dbgroup, sync or customname, then its name");
        }
        if (rest.get(0).equalsIgnoreCase("customname") || rest.get(0).equalsIgnoreCase("customnames")) {
            return CustomNameCommand.remove(ctx, Words.of(rest.subList(1, rest.size())));
        }
        if (CustomCodeCommand.names(rest)) {
            return CustomCodeCommand.remove(ctx, rest);
        }
        if (CustomColsCommand.names(rest)) {
            return CustomColsCommand.remove(ctx, rest);
        }
        ObjectType type = ObjectType.parse(rest.get(0));
        if (type == ObjectType.ALL) {
            throw new IbexException("remove: say what type of object to remove: db, table, sequence, relgroup, dbgroup or sync");
        }
        Words w = Words.of(rest.subList(1, rest.size()));
        boolean relation = type == ObjectType.TABLE || type == ObjectType.SEQUENCE;
        String db = relation ? Commands.takeDb(w) : null;
        Commands.noParams("remove " + label(type), w);
        if (w.names().isEmpty()) {
            throw new IbexException("remove " + label(type) + ": name the " + label(type) + " to remove");
        }
        if (relation && w.names().size() == 1 && w.names().get(0).equalsIgnoreCase("all")) {
            return removeAll(ctx, type, db);
        }
        List<String> names = List.copyOf(w.names());
        for (String name : names) {
            ctx.ibex().remove(label(type), name, db, ctx.options.force());
            ctx.say("Removed " + label(type) + " " + quote(name));
        }
        return Main.OK;
    }

    /** Bucardo's {@code remove table|sequence all [db=DB]}: every table (or sequence) ibex knows, of db when given; all or none. */
    private static int removeAll(Context ctx, ObjectType type, String db) {
        List<io.ibex.model.Relation> all = ctx.ibex().relations().stream().filter(r -> r.isSequence() == (type == ObjectType.SEQUENCE))
                .filter(r -> db == null || r.db().equals(db)).toList();
        ctx.ibex().remove(label(type), "all", db, ctx.options.force());
        if (all.isEmpty()) {
            ctx.say("No " + label(type) + "s to remove.");
        }
        all.forEach(r -> ctx.say("Removed " + label(type) + " " + quote(r.qualifiedName()) + " of database " + quote(r.db())));
        return Main.OK;
    }

    /** {@code update sync|db|table NAME [NAME ...] key=value ...}; {@code update sync S active|inactive} too. */
    static int update(Context ctx, List<String> rest) {
        if (rest.isEmpty()) {
            throw new IbexException("update: say what to update: sync, db or table, then its name and key=value settings");
        }
        if (CustomCodeCommand.names(rest)) {
            return CustomCodeCommand.update(ctx, rest);
        }
        ObjectType type = ObjectType.parse(rest.get(0));
        Words w = Words.of(rest.subList(1, rest.size()));
        if (type == ObjectType.DBGROUP) {
            return updateDbGroup(ctx, w);
        }
        Map<String, String> params = w.paramsCopy();
        if (type == ObjectType.SYNC) {
            if (w.takeBare("active")) {
                params.put("status", "active");
            }
            if (w.takeBare("inactive")) {
                params.put("status", "inactive");
            }
        }
        if (w.names().isEmpty()) {
            throw new IbexException("update " + label(type) + ": name the " + label(type) + " to update");
        }
        if (params.isEmpty()) {
            throw new IbexException("update " + label(type) + ": give at least one key=value (see 'ibex help update')");
        }
        for (String name : w.names()) {
            ctx.ibex().update(label(type), name, params, ctx.options.force());
            ctx.say("Updated " + label(type) + " " + quote(name));
        }
        return Main.OK;
    }

    /** {@code update dbgroup NAME [add] db:role ... [remove db ...]}; a rename (name=) is refused in one line. */
    private static int updateDbGroup(Context ctx, Words w) {
        if (w.params().containsKey("name")) {
            throw new IbexException("update dbgroup: renaming a dbgroup is not supported: add a dbgroup under the new name "
                    + "('ibex add dbgroup NEW db:role ...') and a sync over it");
        }
        Commands.noParams("update dbgroup", w);
        if (w.names().isEmpty()) {
            throw new IbexException("update dbgroup: name the dbgroup, then db:role items to add or change, or 'remove db ...'");
        }
        String name = w.names().get(0);
        io.ibex.model.DbGroup g = ctx.ibex().updateDbGroup(name, w.names().subList(1, w.names().size()));
        ctx.say("Updated dbgroup " + quote(g.name()) + ": " + String.join(" ", g.members().stream().map(io.ibex.model.DbGroup.Member::toString).toList()));
        return Main.OK;
    }

    /**
     * {@code activate|deactivate|pause|resume SYNC ...|all} (wildcards % and * too). A trailing number (Bucardo's
     * timeout) is accepted and ignored: the daemon is told at once.
     */
    static int setState(Context ctx, String verb, List<String> rest) {
        List<String> names = new ArrayList<>(rest);
        names.removeIf(n -> n.equalsIgnoreCase("sync") || n.matches("\\d+"));
        Words w = Words.of(names);
        Commands.noParams(verb, w);
        if (w.names().isEmpty()) {
            throw new IbexException(verb + ": name the sync(s) to " + verb + ", or all");
        }
        List<String> given = w.names().stream().map(n -> n.equalsIgnoreCase("all") ? "all" : n).toList();
        Map<String, List<String>> held = verb.equals("activate") ? ctx.ibex().activateReporting(given) : Map.of();
        List<String> done = switch (verb) {
            case "activate" -> new ArrayList<>(held.keySet());
            case "deactivate" -> ctx.ibex().deactivate(given);
            case "pause" -> ctx.ibex().pause(given);
            case "resume" -> ctx.ibex().resume(given);
            default -> throw new IbexException("unknown command \"" + verb + "\"");
        };
        String past = switch (verb) {
            case "activate" -> "Activated";
            case "deactivate" -> "Deactivated";
            case "pause" -> "Paused";
            default -> "Resumed";
        };
        if (done.isEmpty()) {
            ctx.say("No syncs matched.");
        }
        for (String name : done) {
            ctx.say(past + " sync " + quote(name));
            held.getOrDefault(name, List.of()).forEach(ctx::say);
        }
        return Main.OK;
    }
}
