package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.model.CustomColumns;

import java.util.List;
import java.util.Locale;

/** {@code ibex add|list|remove customcols ...}: Bucardo's customcols. */
final class CustomColsCommand {

    private CustomColsCommand() {
    }

    static boolean names(List<String> rest) {
        return !rest.isEmpty() && List.of("customcols", "customcol").contains(rest.get(0).toLowerCase(Locale.ROOT));
    }

    /** {@code add customcols TABLE "SELECT col1, expr AS col2" [sync=S] [db=D]}. */
    static int add(Context ctx, List<String> rest) {
        Words w = Words.of(rest.subList(1, rest.size()));
        String sync = w.params().remove("sync");
        String db = Commands.takeDb(w);
        Commands.noParams("add customcols", w);
        if (w.names().size() != 2) {
            throw new IbexException("add customcols: give the table and the columns as one quoted argument, e.g. "
                    + "ibex add customcols public.t \"SELECT id, name, upper(code) AS code\" [sync=S] [db=TARGET]");
        }
        CustomColumns c = ctx.ibex().customColumns().add(w.names().get(0), w.names().get(1), sync, db);
        ctx.say("Added customcols " + c.id() + " for " + c.relation() + ": " + String.join(", ", c.columns().stream().map(col -> col.name()).toList()));
        return Main.OK;
    }

    /** {@code list customcols}. */
    static int list(Context ctx, List<String> rest) {
        Words w = Words.of(rest.subList(1, rest.size()));
        Commands.noParams("list customcols", w);
        ListCommand.Filter filter = new ListCommand.Filter(List.copyOf(w.names()));
        List<CustomColumns> all = ctx.ibex().customColumns().list().stream().filter(c -> filter.matches(c.relation())).toList();
        if (all.isEmpty()) {
            ctx.print("No customcols found.");
        }
        for (CustomColumns c : all) {
            ctx.print("Customcols: " + c.id() + "  Table: " + c.relation() + "  Sync: " + (c.sync() == null ? "all" : c.sync())
                    + "  DB: " + (c.db() == null ? "all" : c.db()) + "  Columns: SELECT " + c.clause());
        }
        return Main.OK;
    }

    /** {@code remove customcols ID ...}. */
    static int remove(Context ctx, List<String> rest) {
        Words w = Words.of(rest.subList(1, rest.size()));
        Commands.noParams("remove customcols", w);
        if (w.names().isEmpty()) {
            throw new IbexException("remove customcols: give the id(s) 'ibex list customcols' shows");
        }
        for (String id : w.names()) {
            if (!id.matches("\\d{1,9}")) {
                throw new IbexException("remove customcols: \"" + id + "\" is not an id (see 'ibex list customcols')");
            }
            ctx.ibex().customColumns().remove(Integer.parseInt(id));
            ctx.say("Removed customcols " + id);
        }
        return Main.OK;
    }
}
