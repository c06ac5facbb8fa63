package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.api.HealthCheck;
import io.ibex.db.Pg;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code ibex check} (a Nagios/Icinga plugin) and {@code ibex reopen} (the daemon's log, after logrotate). */
final class WatchCommands {
    static final double DEFAULT_WARN = 60;
    static final double DEFAULT_CRIT = 300;

    private WatchCommands() {
    }

    /**
     * {@code check [SYNC ...] [warn=SECONDS] [crit=SECONDS]}: one line and the plugin's exit code. Anything that
     * keeps the check from being made (bad input, the repository away) is UNKNOWN (3), as the convention wants.
     */
    static int check(Context ctx, List<String> rest) {
        HealthCheck.Result r;
        try {
            Words w = Words.of(rest);
            Map<String, String> params = w.paramsCopy();
            double warn = seconds(params.remove("warn"), DEFAULT_WARN, "warn");
            double crit = seconds(params.remove("crit"), DEFAULT_CRIT, "crit");
            if (!params.isEmpty()) {
                throw new IbexException("check: unknown parameter " + String.join(", ", params.keySet()) + " (warn=SECONDS crit=SECONDS)");
            }
            if (crit < warn) {
                throw new IbexException("check: crit (" + crit + ") must not be below warn (" + warn + ")");
            }
            List<String> names = new ArrayList<>(w.names());
            names.removeIf(n -> n.equalsIgnoreCase("all"));
            r = ctx.ibex().check(names, warn, crit, Main.version());
        } catch (RuntimeException e) {
            r = HealthCheck.unknown(Pg.firstLine(e));
        }
        ctx.print(r.line());
        return r.code();
    }

    private static double seconds(String text, double otherwise, String name) {
        if (text == null) {
            return otherwise;
        }
        try {
            double v = Double.parseDouble(text.strip().replaceAll("s$", ""));
            if (v >= 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the sentence below
        }
        throw new IbexException("check: " + name + " must be a number of seconds, not \"" + text + "\"");
    }

    /** {@code reopen}: the daemon closes its log file and opens it again by name (after logrotate moved it). */
    static int reopen(Context ctx, List<String> rest) {
        Commands.noMoreNames("reopen", rest);
        if (!ctx.ibex().reopen()) {
            throw new IbexException("the ibex daemon is not running: nothing to reopen");
        }
        ctx.say("Asked the ibex daemon to reopen its log file");
        return Main.OK;
    }
}
