package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.model.Sync;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ibex kick SYNC [SYNC ...] [TIMEOUT]}: asks the daemon to run the syncs now. With a timeout (seconds, 0 =
 * forever) it waits for each run to end. Exit 0 done, 1 timed out, 2 failed.
 */
final class KickCommand {
    static final int TIMED_OUT = 1;
    static final int FAILED = 2;

    private KickCommand() {
    }

    /** The sync names and the timeout (null: do not wait) of a kick's words. */
    record Request(List<String> syncs, Integer timeoutSeconds) {
        static Request parse(List<String> words) {
            List<String> names = new ArrayList<>(words);
            names.removeIf(n -> n.equalsIgnoreCase("sync"));
            Integer timeout = null;
            if (!names.isEmpty() && names.get(names.size() - 1).matches("\\d+")) {
                timeout = Integer.parseInt(names.remove(names.size() - 1));
            }
            if (names.isEmpty()) {
                throw new IbexException("kick: name the sync(s) to kick, e.g. 'ibex kick sync_pg84_rds96 0'");
            }
            return new Request(names, timeout);
        }

        /** A null duration waits forever. */
        Duration timeout() {
            return timeoutSeconds == null || timeoutSeconds == 0 ? null : Duration.ofSeconds(timeoutSeconds);
        }
    }

    static int run(Context ctx, List<String> rest) {
        Words w = Words.of(rest);
        Commands.noParams("kick", w);
        Request req = Request.parse(w.names());
        Ibex ibex = ctx.ibex();
        List<String> syncs = req.syncs();
        if (syncs.size() == 1 && syncs.get(0).equalsIgnoreCase("all")) {
            syncs = ibex.syncs().stream().filter(Sync::active).map(Sync::name).sorted().toList();
            if (syncs.isEmpty()) {
                throw new IbexException("kick: there is no active sync");
            }
        }
        Map<String, Ibex.Kick> kicked = new LinkedHashMap<>();
        for (String s : syncs) {
            kicked.put(s, ibex.kick(s));
            if (req.timeoutSeconds() == null) {
                ctx.say("Kicked sync " + s);
            }
        }
        if (req.timeoutSeconds() == null) {
            return Main.OK;
        }
        int code = Main.OK;
        boolean live = ctx.out == System.out && System.console() != null;
        for (Map.Entry<String, Ibex.Kick> e : kicked.entrySet()) {
            String s = e.getKey();
            long[] shown = {-1};
            long startNanos = System.nanoTime();
            Ibex.KickResult result = ibex.awaitKick(e.getValue(), req.timeout(), elapsed -> {
                long secs = elapsed.toSeconds();
                if (secs != shown[0]) {
                    shown[0] = secs;
                    String copying = copyLine(ibex, s, e.getValue().at());
                    if (live) {
                        ctx.out.print("\rKick " + s + ": [" + secs + " s]" + (copying.isEmpty() ? "" : " " + copying) + "\u001b[K");
                        ctx.out.flush();
                    } else if (!copying.isEmpty() && secs % 5 == 0) {
                        ctx.print("Kick " + s + ": [" + secs + " s] " + copying);
                    }
                }
            });
            long secs = Duration.ofNanos(System.nanoTime() - startNanos).toSeconds();
            String prefix = (live ? "\r" : "") + "Kick " + s + ": [" + secs + " s] ";
            String skipped = skippedNote(result);
            switch (result.outcome()) {
                case DONE -> ctx.print(prefix + "DONE!" + skipped);
                case TIMEOUT -> {
                    ctx.print(prefix + "TIMEOUT" + skipped);
                    code = Math.max(code, TIMED_OUT);
                }
                case FAILED -> {
                    // the errors of the runs that answered this kick, not whatever run came last
                    ctx.print(prefix + "FAILED: " + StatusPrinter.oneLine(String.join("; ", result.errors())) + skipped);
                    code = Math.max(code, FAILED);
                }
            }
        }
        return code;
    }

    /** " (skipped: database \"b\" is inactive; its changes wait)", or empty when every lane ran. */
    static String skippedNote(Ibex.KickResult r) {
        if (r.skipped().isEmpty()) {
            return "";
        }
        List<String> quoted = r.skipped().stream().map(d -> "\"" + d + "\"").toList();
        return quoted.size() == 1 ? " (skipped: database " + quoted.get(0) + " is inactive; its changes wait)"
                : " (skipped: databases " + String.join(", ", quoted) + " are inactive; their changes wait)";
    }

    /** The copies in progress for a kick (onetimecopy, fullcopy), as a bar per table: empty when none. */
    static String copyLine(Ibex ibex, String sync, OffsetDateTime since) {
        List<String> parts = new java.util.ArrayList<>();
        try {
            List<io.ibex.repository.CopyProgress> current = ibex.copyProgress(sync).stream().filter(p -> !p.started().isBefore(since)).toList();
            for (var p : current) {
                if (p.finished() == null) {
                    String rate = p.rowsPerSecond() > 0 ? String.format(" %,d rows/s", Math.round(p.rowsPerSecond())) : "";
                    String eta = p.etaSeconds().isPresent() ? " ETA " + CopyProgressText.duration(p.etaSeconds().getAsLong()) : "";
                    parts.add(p.table() + " -> " + p.target() + " " + bar(p.rowsCopied(), p.rowsEstimated()) + rate + eta);
                }
            }
            if (parts.size() > 0 && current.size() > 1) {
                var total = io.ibex.repository.CopyProgress.total(current);
                parts.add("total " + bar(total.rowsCopied(), total.rowsEstimated())
                        + total.etaSeconds().stream().mapToObj(e -> " ETA " + CopyProgressText.duration(e)).findFirst().orElse(""));
            }
        } catch (RuntimeException ignored) {
            return "";
        }
        return String.join("  ", parts);
    }

    static String bar(long done, long total) {
        int pct = total <= 0 ? 0 : (int) Math.min(100, done * 100 / total);
        int filled = pct / 5;
        return "[" + "#".repeat(filled) + ".".repeat(20 - filled) + "] " + pct + "% " + String.format("%,d/%,d rows", done, Math.max(done, total));
    }
}
