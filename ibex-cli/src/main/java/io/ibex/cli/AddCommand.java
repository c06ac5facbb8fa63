package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.api.ObjectType;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.Relation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.ibex.cli.Commands.quote;

/** {@code ibex add db|table|sequence|all tables|all sequences|relgroup|dbgroup|sync ...}. */
final class AddCommand {
    private AddCommand() {
    }

    static int run(Context ctx, List<String> rest) {
        if (rest.isEmpty()) {
            throw new IbexException("add: say what to add: db, table, sequence, all tables, relgroup, dbgroup or sync (see 'ibex help add')");
        }
        if (CustomCodeCommand.names(rest)) {
            return CustomCodeCommand.add(ctx, rest);
        }
        if (CustomColsCommand.names(rest)) {
            return CustomColsCommand.add(ctx, rest);
        }
        List<String> words = new ArrayList<>(rest);
        String object = words.remove(0).toLowerCase(Locale.ROOT);
        if (object.equals("customname") || object.equals("customnames")) {
            return CustomNameCommand.add(ctx, Words.of(words));
        }
        if (object.startsWith("all_")) {
            words.add(0, object.substring(4));
            object = "all";
        }
        ObjectType type = ObjectType.parse(object);
        if (type == ObjectType.ALL) {
            if (words.isEmpty()) {
                throw new IbexException("add all: say tables or sequences");
            }
            ObjectType what = ObjectType.parse(words.remove(0));
            if (what != ObjectType.TABLE && what != ObjectType.SEQUENCE) {
                throw new IbexException("add all: only tables or sequences can be added all at once");
            }
            return addAll(ctx, Words.of(words), what == ObjectType.SEQUENCE);
        }
        Words w = Words.of(words);
        return switch (type) {
            case DB -> addDb(ctx, w);
            case TABLE, SEQUENCE -> addTables(ctx, w, type == ObjectType.SEQUENCE);
            case RELGROUP -> addRelGroup(ctx, w);
            case DBGROUP -> addDbGroup(ctx, w);
            case SYNC -> addSync(ctx, w);
            default -> throw new IbexException("add: cannot add a " + object);
        };
    }

    /** key=value words plus --db and --relgroup given as options. */
    private static Map<String, String> params(Context ctx, Words w) {
        Map<String, String> p = w.paramsCopy();
        if (ctx.args.value("db") != null) {
            p.putIfAbsent("db", ctx.args.value("db"));
        }
        if (ctx.args.value("relgroup") != null && !p.containsKey("herd")) {
            p.putIfAbsent("relgroup", ctx.args.value("relgroup"));
        }
        return p;
    }

    private static String single(String command, String what, Words w) {
        if (w.names().isEmpty()) {
            throw new IbexException(command + ": name the " + what + " (see 'ibex help add')");
        }
        String name = w.names().remove(0);
        return name;
    }

    /**
     * {@code add db NAME dbname=... [service=S] [group=G[:role]] [addalltables] [addallsequences]}: service= reads the
     * connection from pg_service.conf; then the database joins dbgroup G (made if missing; role target unless given),
     * and its tables and sequences are added, as Bucardo does.
     */
    static int addDb(Context ctx, Words w) {
        String name = single("add db", "database", w);
        boolean allTables = w.takeBare("addalltables");
        boolean allSequences = w.takeBare("addallsequences");
        Commands.noMoreNames("add db", w.names());
        Map<String, String> p = w.paramsCopy();
        allTables |= isOn(p.remove("addalltables"));
        allSequences |= isOn(p.remove("addallsequences"));
        String group = p.remove("group");
        String service = p.remove("service");
        if (service != null) {
            String home = ctx.env.get("HOME");
            PgServiceFile.settings(service, ctx.env, java.nio.file.Path.of(home != null ? home : System.getProperty("user.home")))
                    .forEach(p::putIfAbsent);
        }
        Database db = ctx.ibex().addDatabase(name, p, ctx.options.force());
        ctx.say("Added database " + quote(db.name()));
        if (group != null) {
            int colon = group.indexOf(':');
            String g = colon < 0 ? group : group.substring(0, colon);
            String member = name + ":" + (colon < 0 ? "target" : group.substring(colon + 1));
            if (ctx.ibex().dbGroups().stream().anyMatch(x -> x.name().equals(g))) {
                ctx.ibex().updateDbGroup(g, List.of(member));
            } else {
                ctx.ibex().addDbGroup(g, List.of(member));
            }
            ctx.say("Added database " + quote(name) + " to dbgroup " + quote(g) + " as " + member.substring(name.length() + 1));
        }
        Map<String, String> onDb = Map.of("db", name);
        if (allTables) {
            printTables(ctx, ctx.ibex().addAllTables(onDb, Ibex.TableFilter.all(), false));
        }
        if (allSequences) {
            printTables(ctx, ctx.ibex().addAllTables(onDb, Ibex.TableFilter.all(), true));
        }
        return Main.OK;
    }

    private static boolean isOn(String v) {
        return v != null && !v.matches("(?i)0|off|false|no|f|n");
    }

    static int addTables(Context ctx, Words w, boolean sequences) {
        boolean pkonly = w.names().stream().anyMatch(n -> n.equalsIgnoreCase("pkonly"));
        if (pkonly && w.names().stream().allMatch(n -> n.equalsIgnoreCase("all") || n.equalsIgnoreCase("pkonly"))) {
            w.names().removeIf(n -> n.equalsIgnoreCase("all"));
            return addAll(ctx, w, sequences); // 'add tables pkonly' and 'add tables all pkonly': every table with a key
        }
        if (pkonly) {
            w.takeBare("pkonly");
            w.params().put("pkonly", "1");
        }
        if (w.names().size() == 1 && w.names().get(0).equalsIgnoreCase("all")) {
            w.names().clear();
            return addAll(ctx, w, sequences);
        }
        Ibex.AddTablesResult r = ctx.ibex().addTables(List.copyOf(w.names()), params(ctx, w), sequences);
        printTables(ctx, r);
        return Main.OK;
    }

    static int addAll(Context ctx, Words w, boolean sequences) {
        boolean pkonly = w.takeBare("pkonly");
        Commands.noMoreNames(sequences ? "add all sequences" : "add all tables", w.names());
        // the bare word goes in the filter only: Ibex.addAllTables does not take a "pkonly" key when the filter has it
        Map<String, String> p = params(ctx, w);
        Ibex.TableFilter filter = new Ibex.TableFilter(ctx.args.list("schema"), ctx.args.list("exclude-schema"),
                ctx.args.list("table"), ctx.args.list("exclude-table"), pkonly);
        Ibex.AddTablesResult r = ctx.ibex().addAllTables(p, filter, sequences);
        if (r.added().isEmpty() && r.alreadyKnown().isEmpty()) {
            ctx.say("No " + (sequences ? "sequences" : "tables") + " found to add.");
            return Main.OK;
        }
        printTables(ctx, r);
        return Main.OK;
    }

    static int addRelGroup(Context ctx, Words w) {
        String name = single("add relgroup", "relgroup", w);
        Ibex.AddTablesResult r = ctx.ibex().addRelGroup(name, List.copyOf(w.names()), params(ctx, w));
        ctx.say("Created relgroup " + quote(name));
        if (!r.added().isEmpty() || !r.alreadyKnown().isEmpty()) {
            printMembers(ctx, r);
        }
        return Main.OK;
    }

    static int addDbGroup(Context ctx, Words w) {
        String name = single("add dbgroup", "dbgroup", w);
        Commands.noParams("add dbgroup", w);
        DbGroup g = ctx.ibex().addDbGroup(name, List.copyOf(w.names()));
        ctx.say("Created dbgroup " + quote(g.name()));
        for (DbGroup.Member m : g.members()) {
            ctx.say("Added database " + quote(m.db()) + " to dbgroup " + quote(g.name()) + " as " + m.role().label());
        }
        return Main.OK;
    }

    static int addSync(Context ctx, Words w) {
        String name = single("add sync", "sync", w);
        Commands.noMoreNames("add sync", w.names());
        Ibex.AddSyncResult r = ctx.ibex().addSync(name, params(ctx, w));
        ctx.say("Added sync " + quote(r.sync().name()));
        ctx.say(r.dbgroupCreated() ? "Created a new dbgroup named " + quote(r.dbgroup()) : "Using existing dbgroup " + quote(r.dbgroup()));
        if (r.relgroupCreated()) {
            ctx.say("Created a new relgroup named " + quote(r.relgroup()));
        }
        for (String db : r.capturedOn()) {
            ctx.say("Installed capture on database " + quote(db));
        }
        if (!r.sync().active()) {
            ctx.say("The sync is inactive: run 'ibex activate " + r.sync().name() + "' to start it");
        }
        if (r.sync().onetimecopy() > 0) {
            ctx.say(r.sync().onetimecopy() == 1 ? "The first run copies every table whole (onetimecopy=1)"
                    : "The first run copies every table whose target is empty (onetimecopy=2)");
        }
        ctx.ibex().emptyTargetWarnings(r.sync().name()).forEach(ctx::warn);
        return Main.OK;
    }

    /** The walkthrough's lines for add table and add all tables. */
    static void printTables(Context ctx, Ibex.AddTablesResult r) {
        if (r.relgroup() != null) {
            if (r.relgroupCreated()) {
                ctx.say("Created the relgroup named " + quote(r.relgroup()));
            }
            printMembers(ctx, r);
        } else {
            if (!r.added().isEmpty()) {
                ctx.say("Added the following tables or sequences:");
                sorted(r.added()).forEach(rel -> ctx.say("  " + rel.qualifiedName()));
            }
            if (!r.alreadyKnown().isEmpty()) {
                ctx.say("The following tables or sequences were already added:");
                sorted(r.alreadyKnown()).forEach(rel -> ctx.say("  " + rel.qualifiedName()));
            }
        }
        for (Relation rel : sorted(r.added())) {
            if (!rel.isSequence() && !rel.hasKey()) {
                ctx.say("Note: " + rel.qualifiedName() + " has no primary key or unique NOT NULL index: only a sync with fullcopy "
                        + "targets can copy it ('add all tables pkonly' skips such tables)");
            }
        }
    }

    private static void printMembers(Context ctx, Ibex.AddTablesResult r) {
        ctx.say("The following tables or sequences are now part of the relgroup " + quote(r.relgroup()) + ":");
        List<Relation> all = new ArrayList<>(r.added());
        all.addAll(r.alreadyKnown());
        sorted(all).forEach(rel -> ctx.say("  " + rel.qualifiedName()));
    }

    private static List<Relation> sorted(List<Relation> rels) {
        return rels.stream().sorted(Comparator.comparing(Relation::qualifiedName)).toList();
    }
}
