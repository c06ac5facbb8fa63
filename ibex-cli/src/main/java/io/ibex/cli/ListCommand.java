package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.api.ObjectType;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.RelGroup;
import io.ibex.model.Relation;
import io.ibex.repository.Conflict;
import io.ibex.model.Sync;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** {@code ibex list dbs|tables|sequences|relgroups|dbgroups|syncs|all [pattern ...]} and {@code list conflicts [SYNC] [limit=N]}. */
final class ListCommand {
    private ListCommand() {
    }

    static int run(Context ctx, List<String> rest) {
        if (rest.isEmpty()) {
            throw new IbexException("list: say what to list: dbs, tables, sequences, relgroups, dbgroups, syncs, conflicts or all");
        }
        if (CustomCodeCommand.names(rest)) {
            return CustomCodeCommand.list(ctx, rest);
        }
        if (CustomColsCommand.names(rest)) {
            return CustomColsCommand.list(ctx, rest);
        }
        if (rest.get(0).equalsIgnoreCase("conflicts") || rest.get(0).equalsIgnoreCase("conflict")) {
            return conflicts(ctx, Words.of(rest.subList(1, rest.size())));
        }
        if (rest.get(0).equalsIgnoreCase("customname") || rest.get(0).equalsIgnoreCase("customnames")) {
            return CustomNameCommand.list(ctx, Words.of(rest.subList(1, rest.size())));
        }
        ObjectType type = ObjectType.parse(rest.get(0));
        Words w = Words.of(rest.subList(1, rest.size()));
        Commands.noParams("list", w);
        Filter patterns = new Filter(List.copyOf(w.names()));
        Ibex ibex = ctx.ibex();
        if (ctx.args.flag("verbose")) {
            ListDetails d = new ListDetails(ibex);
            return verbose(ctx, type, patterns, ibex, d);
        }
        if (type == ObjectType.ALL) {
            section(ctx, "databases", () -> list(ctx, "databases", ibex.databases(), Database::name, patterns, Formats::databases));
            section(ctx, "dbgroups", () -> list(ctx, "dbgroups", ibex.dbGroups(), DbGroup::name, patterns, Formats::dbGroups));
            List<Relation> rels = ibex.relations();
            section(ctx, "tables", () -> list(ctx, "tables", tables(rels, false), Relation::qualifiedName, patterns, Formats::relations));
            section(ctx, "sequences", () -> list(ctx, "sequences", tables(rels, true), Relation::qualifiedName, patterns, Formats::relations));
            section(ctx, "relgroups", () -> list(ctx, "relgroups", ibex.relGroups(), RelGroup::name, patterns, Formats::relGroups));
            section(ctx, "syncs", () -> list(ctx, "syncs", ibex.syncs(), Sync::name, patterns, Formats::syncs));
            return Main.OK;
        }
        switch (type) {
            case DB -> list(ctx, "databases", ibex.databases(), Database::name, patterns, Formats::databases);
            case TABLE -> list(ctx, "tables", tables(ibex.relations(), false), Relation::qualifiedName, patterns, Formats::relations);
            case SEQUENCE -> list(ctx, "sequences", tables(ibex.relations(), true), Relation::qualifiedName, patterns, Formats::relations);
            case RELGROUP -> list(ctx, "relgroups", ibex.relGroups(), RelGroup::name, patterns, Formats::relGroups);
            case DBGROUP -> list(ctx, "dbgroups", ibex.dbGroups(), DbGroup::name, patterns, Formats::dbGroups);
            case SYNC -> list(ctx, "syncs", ibex.syncs(), Sync::name, patterns, Formats::syncs);
            default -> throw new IbexException("list: cannot list " + rest.get(0));
        }
        return Main.OK;
    }

    /** {@code list ... -v}: each object's line as without -v, then the lines ListDetails adds under it. */
    private static int verbose(Context ctx, ObjectType type, Filter patterns, Ibex ibex, ListDetails d) {
        boolean all = type == ObjectType.ALL;
        if (all || type == ObjectType.DB) {
            list(ctx, "databases", ibex.databases(), Database::name, patterns, detailed(Formats::databases, d::of));
        }
        if (all || type == ObjectType.DBGROUP) {
            list(ctx, "dbgroups", ibex.dbGroups(), DbGroup::name, patterns, detailed(Formats::dbGroups, d::of));
        }
        for (boolean seq : new boolean[] {false, true}) {
            if (all || type == (seq ? ObjectType.SEQUENCE : ObjectType.TABLE)) {
                list(ctx, seq ? "sequences" : "tables", tables(ibex.relations(), seq), Relation::qualifiedName, patterns,
                        detailed(Formats::relations, d::of));
            }
        }
        if (all || type == ObjectType.RELGROUP) {
            list(ctx, "relgroups", ibex.relGroups(), RelGroup::name, patterns, detailed(Formats::relGroups, d::of));
        }
        if (all || type == ObjectType.SYNC) {
            list(ctx, "syncs", ibex.syncs(), Sync::name, patterns, detailed(Formats::syncs, d::of));
        }
        return Main.OK;
    }

    private static <T> Function<List<T>, List<String>> detailed(Function<List<T>, List<String>> format, Function<T, List<String>> details) {
        return items -> {
            List<String> out = new ArrayList<>();
            for (T item : items) {
                out.addAll(format.apply(List.of(item)));
                out.addAll(details.apply(item));
            }
            return out;
        };
    }

    static final int DEFAULT_CONFLICT_LIMIT = 50;
    private static final java.time.format.DateTimeFormatter WHEN = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** {@code list conflicts [SYNC] [limit=N]}: the newest conflicts first, one line each. */
    static int conflicts(Context ctx, Words w) {
        java.util.Map<String, String> params = w.paramsCopy();
        int limit = Commands.intParam("list conflicts", params, "limit", DEFAULT_CONFLICT_LIMIT, 1);
        Commands.noParams("list conflicts", new Words(List.of(), params));
        List<String> names = new ArrayList<>(w.names());
        String sync = names.isEmpty() ? null : names.remove(0);
        Commands.noMoreNames("list conflicts", names);
        List<Conflict> found = ctx.ibex().conflicts(sync, limit);
        if (found.isEmpty()) {
            ctx.print("No conflicts found" + (sync == null ? "." : " for sync " + Commands.quote(sync) + "."));
            return Main.OK;
        }
        conflictLines(found, java.time.ZoneId.systemDefault()).forEach(ctx::print);
        return Main.OK;
    }

    /**
     * {@code Conflict: 2024-05-01 10:00:00  Sync: s  Table: public.t  Key: 42  DBs: a,b  Winner: a  Strategy: latest};
     * Winner is "skipped" when the strategy applied neither version.
     */
    static List<String> conflictLines(List<Conflict> conflicts, java.time.ZoneId zone) {
        List<String[]> rows = new ArrayList<>();
        for (Conflict c : conflicts) {
            rows.add(new String[] {
                    c.at() == null ? "unknown" : WHEN.format(c.at().atZoneSameInstant(zone)),
                    c.sync(), c.table(), c.key(), String.join(",", c.dbs()),
                    c.winner() == null ? "skipped" : c.winner(), c.strategy()});
        }
        String[] labels = {"Conflict: ", "Sync: ", "Table: ", "Key: ", "DBs: ", "Winner: ", "Strategy: "};
        int[] widths = new int[labels.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i] == null ? 0 : r[i].length());
            }
        }
        List<String> out = new ArrayList<>();
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                sb.append(i == 0 ? "" : "  ").append(labels[i]).append(Formats.pad(r[i], widths[i]));
            }
            out.add(sb.toString().stripTrailing());
        }
        return out;
    }

    private static void section(Context ctx, String title, Runnable body) {
        ctx.print("-- " + title + ":");
        body.run();
    }

    private static List<Relation> tables(List<Relation> all, boolean sequences) {
        return all.stream().filter(r -> r.isSequence() == sequences).toList();
    }

    /** The patterns given after the type; none shows everything. */
    record Filter(List<String> texts) {
        boolean matches(String name) {
            return ListCommand.matches(texts.stream().map(ListCommand::pattern).toList(), name);
        }
    }

    static <T> void list(Context ctx, String plural, List<T> items, Function<T, String> name, Filter patterns,
                         Function<List<T>, List<String>> format) {
        List<T> shown = new ArrayList<>(items.stream().filter(i -> patterns.matches(name.apply(i))).toList());
        shown.sort(Comparator.comparing(name));
        if (shown.isEmpty()) {
            ctx.print("No " + plural + " found" + (patterns.texts().isEmpty() ? "." : " matching "
                    + String.join(" ", patterns.texts().stream().map(Commands::quote).toList()) + "."));
            return;
        }
        format.apply(shown).forEach(ctx::print);
    }

    static boolean matches(List<Pattern> patterns, String name) {
        if (patterns.isEmpty()) {
            return true;
        }
        String bare = name.contains(".") ? name.substring(name.indexOf('.') + 1) : name;
        return patterns.stream().anyMatch(p -> p.matcher(name).find() || p.matcher(bare).find());
    }

    /**
     * A pattern as Bucardo takes it: a regular expression that may match part of the name; {@code %} and
     * {@code *} alone make it a wildcard pattern for the whole name.
     */
    static Pattern pattern(String text) {
        if (text.contains("%") || text.contains("*") && !text.contains(".*")) {
            StringBuilder re = new StringBuilder("^");
            for (char ch : text.toCharArray()) {
                re.append(ch == '%' || ch == '*' ? ".*" : Pattern.quote(String.valueOf(ch)));
            }
            return Pattern.compile(re.append('$').toString());
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            return Pattern.compile(Pattern.quote(text));
        }
    }
}
