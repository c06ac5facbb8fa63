package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.api.CustomNameCommands;
import io.ibex.model.CustomName;

import java.util.ArrayList;
import java.util.List;

import static io.ibex.cli.Commands.quote;

/** {@code ibex add customname schema.table NEWNAME [db=DB] [sync=S]}, {@code list customname}, {@code remove customname ID|all}. */
final class CustomNameCommand {
    private CustomNameCommand() {
    }

    static int add(Context ctx, Words w) {
        List<String> names = new ArrayList<>(w.names());
        if (names.size() != 2) {
            throw new IbexException("add customname: give the table and its new name: add customname schema.table NEWNAME [db=DB] [sync=S]");
        }
        CustomName n = ctx.ibex().customNames().add(names.get(0), names.get(1), w.paramsCopy());
        ctx.say("Added customname " + n.id() + ": " + n.source() + " is written as " + n.qualifiedName()
                + CustomNameCommands.scope(n.db(), n.sync()));
        return Main.OK;
    }

    static int list(Context ctx, Words w) {
        Commands.noParams("list customname", w);
        ListCommand.Filter patterns = new ListCommand.Filter(List.copyOf(w.names()));
        List<CustomName> shown = ctx.ibex().customNames().list().stream().filter(n -> patterns.matches(n.source())).toList();
        if (shown.isEmpty()) {
            ctx.print("No customnames found.");
        }
        for (CustomName n : shown) {
            ctx.print("Customname: " + n.id() + "  Table: " + n.source() + " => " + n.qualifiedName()
                    + "  DB: " + (n.db() == null ? "every target" : n.db()) + "  Sync: " + (n.sync() == null ? "every sync" : n.sync()));
        }
        return Main.OK;
    }

    static int remove(Context ctx, Words w) {
        Commands.noParams("remove customname", w);
        if (w.names().isEmpty()) {
            throw new IbexException("remove customname: give its id (see 'ibex list customname') or all");
        }
        for (String id : w.names()) {
            for (CustomName n : ctx.ibex().customNames().remove(id)) {
                ctx.say("Removed customname " + n.id() + " (" + n.source() + " => " + n.qualifiedName() + ")");
            }
        }
        return Main.OK;
    }
}
