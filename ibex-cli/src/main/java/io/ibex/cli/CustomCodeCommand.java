package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.model.CustomCodeEntry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.ibex.cli.Commands.quote;

/** {@code ibex add|update|remove|list customcode ...}: Bucardo's customcode, as Java classes. */
final class CustomCodeCommand {

    private CustomCodeCommand() {
    }

    /** Whether the object word names custom code (customcode, customcodes, code). */
    static boolean names(List<String> rest) {
        return !rest.isEmpty() && List.of("customcode", "customcodes", "code").contains(rest.get(0).toLowerCase(Locale.ROOT));
    }

    /** {@code add customcode NAME whenrun=... class=... [sync=S | relation=T] [priority=N]}. */
    static int add(Context ctx, List<String> rest) {
        Words w = Words.of(rest.subList(1, rest.size()));
        if (w.names().isEmpty()) {
            throw new IbexException("add customcode: name the custom code (see 'ibex help add')");
        }
        String name = w.names().remove(0);
        Commands.noMoreNames("add customcode", w.names());
        CustomCodeEntry e = ctx.ibex().customCodes().add(name, w.paramsCopy());
        ctx.say("Added customcode " + quote(e.name()) + " (" + e.whenrun() + ", " + e.className() + ")");
        return Main.OK;
    }

    /** {@code update customcode NAME key=value ...}. */
    static int update(Context ctx, List<String> rest) {
        Words w = Words.of(rest.subList(1, rest.size()));
        if (w.names().size() != 1 || w.params().isEmpty()) {
            throw new IbexException("update customcode: name one custom code and give key=value settings (whenrun, class, sync, relation, priority)");
        }
        ctx.ibex().customCodes().update(w.names().get(0), w.paramsCopy());
        ctx.say("Updated customcode " + quote(w.names().get(0)));
        return Main.OK;
    }

    /** {@code remove customcode NAME ...}. */
    static int remove(Context ctx, List<String> rest) {
        Words w = Words.of(rest.subList(1, rest.size()));
        Commands.noParams("remove customcode", w);
        if (w.names().isEmpty()) {
            throw new IbexException("remove customcode: name the custom code to remove");
        }
        for (String name : w.names()) {
            ctx.ibex().customCodes().remove(name);
            ctx.say("Removed customcode " + quote(name));
        }
        return Main.OK;
    }

    /** {@code list customcode [pattern ...]}: one line each, in the order a chain runs them. */
    static int list(Context ctx, List<String> rest) {
        Words w = Words.of(rest.subList(1, rest.size()));
        Commands.noParams("list customcode", w);
        ListCommand.Filter filter = new ListCommand.Filter(List.copyOf(w.names()));
        List<String> lines = new ArrayList<>();
        for (CustomCodeEntry e : ctx.ibex().customCodes().list()) {
            if (filter.matches(e.name())) {
                String scope = e.sync() != null ? "sync=" + e.sync() : e.relation() != null ? "relation=" + e.relation() : "every sync";
                lines.add("Code: " + e.name() + "  whenrun=" + e.whenrun() + "  class=" + e.className() + "  " + scope
                        + "  priority=" + e.priority());
            }
        }
        if (lines.isEmpty()) {
            ctx.print("No custom code found.");
        }
        lines.forEach(ctx::print);
        return Main.OK;
    }
}
