package io.ibex.cli;

import io.ibex.api.SyncStatus;
import io.ibex.model.DaemonInfo;

import java.util.ArrayList;
import java.util.List;

/** {@code ibex status [SYNC ...|all]}: the summary, or the detail block of the named syncs. */
final class StatusCommand {
    private StatusCommand() {
    }

    static int run(Context ctx, List<String> rest) {
        Words w = Words.of(rest);
        Commands.noParams("status", w);
        List<String> names = new ArrayList<>(w.names());
        names.removeIf(n -> n.equalsIgnoreCase("sync"));
        StatusPrinter printer = StatusPrinter.atNow();
        if (names.isEmpty()) {
            // the repository's own daemons only: a pid file is per user and may name another repository's daemon
            List<DaemonInfo> daemons = ctx.ibex().daemons();
            ctx.print(StatusPrinter.pidLine(daemons.stream().filter(DaemonInfo::sessionAlive).map(DaemonInfo::pid).findFirst()));
            daemons.forEach(d -> ctx.print(printer.daemonLine(d)));
            List<SyncStatus> all = ctx.ibex().status();
            if (all.isEmpty()) {
                ctx.print("No syncs found.");
            } else {
                printer.summary(all).forEach(ctx::print);
                printer.leaseLines(all, ctx.ibex().leases(), daemons).forEach(ctx::print);
                warnEmptyTargets(ctx, all);
            }
            return Main.OK;
        }
        List<SyncStatus> chosen;
        if (names.size() == 1 && names.get(0).equalsIgnoreCase("all")) {
            chosen = ctx.ibex().status().stream().sorted(java.util.Comparator.comparing(s -> s.sync().name())).toList();
            if (chosen.isEmpty()) {
                ctx.print("No syncs found.");
                return Main.OK;
            }
        } else {
            chosen = names.stream().map(n -> ctx.ibex().status(n)).toList();
        }
        printer.details(chosen).forEach(ctx::print);
        warnEmptyTargets(ctx, chosen);
        return Main.OK;
    }

    private static void warnEmptyTargets(Context ctx, List<SyncStatus> syncs) {
        syncs.forEach(s -> ctx.ibex().emptyTargetWarnings(s.sync().name()).forEach(ctx::warn));
    }
}
