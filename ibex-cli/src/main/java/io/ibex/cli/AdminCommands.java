package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.model.Sync;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.ibex.cli.Commands.quote;

/** {@code ibex install}, {@code upgrade}, {@code validate}, {@code message} and {@code demo}. */
final class AdminCommands {
    private AdminCommands() {
    }

    static int install(Context ctx, List<String> rest) {
        Commands.noMoreNames("install", rest);
        Ibex ibex = ctx.ibex();
        Ibex.InstallOutcome outcome = ibex.install();
        String dbname = ctx.options.dbname();
        if (outcome == Ibex.InstallOutcome.ALREADY_INSTALLED) {
            ctx.say("The ibex repository is already installed in database " + quote(dbname) + "; nothing changed.");
        } else {
            ctx.say("Installation is now complete.");
            ctx.say("Repository: database " + quote(dbname) + " on " + ibex.repositorySpec().host() + ":" + ibex.repositorySpec().port()
                    + " as " + ibex.repositorySpec().user());
            ctx.say("Next: ibex add db NAME dbname=... host=... user=...  (see 'ibex help add')");
        }
        return Main.OK;
    }

    /** {@code upgrade}: applies the repository's missing schema migrations (ibex.repository.Migrations). */
    static int upgrade(Context ctx, List<String> rest) {
        Commands.noMoreNames("upgrade", rest);
        Ibex.UpgradeOutcome outcome = ctx.ibex().upgrade();
        String dbname = quote(ctx.options.dbname());
        if (outcome.changed()) {
            ctx.say("Upgraded the ibex repository in database " + dbname + " from schema version " + outcome.from()
                    + " to " + outcome.to() + ".");
        } else {
            ctx.say("The ibex repository in database " + dbname + " is up to date (schema version " + outcome.to()
                    + "); nothing changed.");
        }
        return Main.OK;
    }

    /** {@code validate SYNC ...|all}: checks each sync as the daemon will when it starts it. */
    static int validate(Context ctx, List<String> rest) {
        Words w = Words.of(rest);
        Commands.noParams("validate", w);
        List<String> names = new java.util.ArrayList<>(w.names());
        names.removeIf(n -> n.equalsIgnoreCase("sync"));
        if (names.isEmpty()) {
            throw new IbexException("validate: name the sync(s) to validate, or all");
        }
        if (names.size() == 1 && names.get(0).equalsIgnoreCase("all")) {
            names = ctx.ibex().syncs().stream().map(Sync::name).sorted().toList();
            if (names.isEmpty()) {
                ctx.print("No syncs found.");
                return Main.OK;
            }
        }
        int code = Main.OK;
        for (String s : names) {
            try {
                var v = ctx.ibex().validate(s);
                ctx.print("Validating sync " + s + " ... OK");
                v.replicaModes().forEach((db, mode) -> ctx.print("  " + db + ": triggers and foreign keys held off by " + mode));
                ctx.ibex().emptyTargetWarnings(s).forEach(ctx::warn);
            } catch (IbexException e) {
                ctx.print("Validating sync " + s + " ... FAILED: " + e.getMessage());
                code = Main.USER_ERROR;
            }
        }
        return code;
    }

    /** {@code message TEXT ...}: writes the text into the running daemon's log (as MESSAGE TEXT). */
    static int message(Context ctx, List<String> rest) {
        String text = String.join(" ", rest).strip();
        if (text.isEmpty()) {
            throw new IbexException("message: give the text to write into the ibex log");
        }
        ctx.ibex().message(text);
        ctx.say("Sent message to the ibex log: " + text);
        return Main.OK;
    }

    /**
     * {@code reload}: asks a running daemon to re-read every sync's options and tables at once. Bucardo's
     * {@code reload config} and {@code reload sync NAME} are accepted and reload everything.
     */
    static int reload(Context ctx, List<String> rest) {
        ctx.ibex().reload();
        ctx.say("Asked the ibex daemon to reload its syncs");
        return Main.OK;
    }

    /**
     * {@code demo [key=value ...]}: the demo lives beside the product, in its own jar with the embedded servers, and
     * bin/ibex runs it; this jar alone cannot.
     */
    static int demo(Context ctx, List<String> rest) {
        throw new IbexException("the demo is not in this jar: run 'bin/ibex demo' in a built source tree (mvn -B -q package -DskipTests)");
    }
}
