package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.api.TargetSchema;

import java.util.List;

import static io.ibex.cli.Commands.quote;

/** {@code ibex copy schema SYNC [--dry-run]}: the sync's tables created on each target that lacks them, or only printed. */
final class CopyCommand {
    private CopyCommand() {
    }

    static int run(Context ctx, List<String> rest) {
        Words w = Words.of(rest);
        Commands.noParams("copy", w);
        if (w.names().isEmpty() || !w.names().get(0).equalsIgnoreCase("schema")) {
            throw new IbexException("copy: say what to copy: 'ibex copy schema SYNC [--dry-run]'");
        }
        if (w.names().size() != 2) {
            throw new IbexException("copy schema: name one sync: 'ibex copy schema SYNC [--dry-run]'");
        }
        String sync = w.names().get(1);
        boolean dryRun = ctx.args.flag("dry-run");
        for (TargetSchema t : ctx.ibex().copySchema(sync, dryRun)) {
            if (t.statements().isEmpty()) {
                ctx.say("Database " + quote(t.target()) + " has every table and sequence of sync " + quote(sync) + "; nothing to create.");
                continue;
            }
            if (dryRun) {
                ctx.print("-- database " + quote(t.target()) + ": " + t.tables() + " table(s) and " + t.sequences() + " sequence(s) to create");
                t.statements().forEach(s -> ctx.print(s + ";"));
            } else {
                ctx.say("Created " + t.tables() + " table(s) and " + t.sequences() + " sequence(s) on database " + quote(t.target())
                        + " (" + t.statements().size() + " statements).");
            }
        }
        return Main.OK;
    }
}
