package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.model.Relation;
import io.ibex.verify.CompareResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.ibex.cli.Formats.count;

/**
 * {@code ibex verify SYNC [TABLE ...] [maxkeys=N]}: compares the tables of a sync between its source and every
 * other database; {@code ibex cutover SYNC [timeout=SECONDS]}: waits until the targets have every change, then
 * verifies. Exit 0 identical (ready), 1 different (not ready).
 */
final class VerifyCommand {
    static final int DEFAULT_MAX_KEYS = 20;
    static final int DEFAULT_CUTOVER_TIMEOUT = 600;

    private VerifyCommand() {
    }

    static int verify(Context ctx, List<String> rest) {
        Words w = Words.of(rest);
        Map<String, String> params = w.paramsCopy();
        if (params.containsKey("max_keys") && !params.containsKey("maxkeys")) {
            params.put("maxkeys", params.remove("max_keys"));
        }
        int maxKeys = Commands.intParam("verify", params, "maxkeys", DEFAULT_MAX_KEYS, 0);
        Commands.noParams("verify", new Words(List.of(), params));
        List<String> names = new ArrayList<>(w.names());
        names.removeIf(n -> n.equalsIgnoreCase("sync"));
        if (names.isEmpty()) {
            throw new IbexException("verify: name the sync to verify, e.g. 'ibex verify sync_pg84_rds96'");
        }
        String sync = names.remove(0);
        Ibex ibex = ctx.ibex();
        Ibex.Verification v;
        try (ProgressPrinter progress = new ProgressPrinter(ctx)) {
            v = ibex.verify(sync, List.copyOf(names), maxKeys, progress);
            progress.finish();
        }
        report(v, keyNames(ibex, v)).forEach(ctx::print);
        long differ = v.tables().stream().filter(t -> !t.identical()).count();
        ctx.print(differ == 0 ? "verify: every table is identical" : "verify: " + differ + " table(s) differ");
        return differ == 0 ? Main.OK : Main.USER_ERROR;
    }

    static int cutover(Context ctx, List<String> rest) {
        Words w = Words.of(rest);
        Map<String, String> params = w.paramsCopy();
        int timeout = Commands.intParam("cutover", params, "timeout", DEFAULT_CUTOVER_TIMEOUT, 1);
        Commands.noParams("cutover", new Words(List.of(), params));
        List<String> names = new ArrayList<>(w.names());
        names.removeIf(n -> n.equalsIgnoreCase("sync"));
        if (names.isEmpty()) {
            throw new IbexException("cutover: name the sync to cut over, e.g. 'ibex cutover sync_pg84_rds96'");
        }
        String sync = names.remove(0);
        Commands.noMoreNames("cutover", names);
        Ibex ibex = ctx.ibex();
        ctx.say("Cutover of sync " + sync + ": waiting up to " + StatusPrinter.pretty(Duration.ofSeconds(timeout))
                + " for every change to reach the targets");
        Ibex.CutoverReport r;
        try (ProgressPrinter progress = new ProgressPrinter(ctx)) {
            r = ibex.cutover(sync, Duration.ofSeconds(timeout), line -> {
                progress.finish();
                ctx.say(line);
            }, progress);
            progress.finish();
        }
        if (r.verification() != null) {
            report(r.verification(), keyNames(ibex, r.verification())).forEach(ctx::print);
        }
        ctx.print(verdict(sync, timeout, r));
        return r.ready() ? Main.OK : Main.USER_ERROR;
    }

    /** The last line of a cutover: Ready, or Not ready with the reason. */
    static String verdict(String sync, int timeoutSeconds, Ibex.CutoverReport r) {
        if (r.ready()) {
            return "Ready: every target has every change and is identical to the source; point the application to the target(s) now.";
        }
        if (r.verification() == null) {
            long left = r.backlog().values().stream().mapToLong(v -> v == null ? 0 : v).sum();
            if (left > 0) {
                return "Not ready: after " + StatusPrinter.pretty(r.waited()) + " " + count(left) + " change(s) are still to be delivered ("
                        + StatusPrinter.backlog(r.backlog()) + "); are writes to the source stopped? (timeout was " + timeoutSeconds + "s)";
            }
            return "Not ready: the sync's runs did not finish well within " + timeoutSeconds + "s: see 'ibex status " + sync + "'";
        }
        List<String> differ = r.verification().tables().stream().filter(t -> !t.identical())
                .map(t -> t.table() + " on " + t.target()).toList();
        return "Not ready: " + differ.size() + " table(s) differ from the source: " + String.join(", ", differ);
    }

    /** The key column names of each table of the sync's source, by qualified name, to name differing rows. */
    private static Function<String, List<String>> keyNames(Ibex ibex, Ibex.Verification v) {
        Map<String, List<String>> names = new LinkedHashMap<>();
        boolean anyKeys = v.tables().stream().anyMatch(t -> t.details() != null && !t.details().differences().isEmpty());
        if (anyKeys) {
            for (Relation r : ibex.relations()) {
                if (r.db().equals(v.source()) || !names.containsKey(r.qualifiedName())) {
                    names.put(r.qualifiedName(), r.keyColumns());
                }
            }
        }
        return t -> names.getOrDefault(t, List.of());
    }

    /** One line per table and target, and the differing keys under each different table. */
    static List<String> report(Ibex.Verification v, Function<String, List<String>> keyNames) {
        List<String> out = new ArrayList<>();
        for (Ibex.TableVerification t : v.tables()) {
            String head = t.table() + " on " + t.target() + ": ";
            if (t.identical()) {
                out.add(head + "identical (" + count(t.sourceRows()) + (t.sourceRows() == 1 ? " row)" : " rows)"));
                continue;
            }
            String counts = "DIFFERENT (source " + count(t.sourceRows()) + " rows, target " + count(t.targetRows()) + " rows)";
            CompareResult d = t.details();
            if (d == null) {
                out.add(head + counts + "; the table has no key, so the rows that differ cannot be named");
                continue;
            }
            out.add(head + counts + ": " + count(d.missingOnTarget()) + " missing on target, " + count(d.extraOnTarget())
                    + " extra on target, " + count(d.different()) + " different");
            List<String> names = keyNames.apply(t.table());
            for (CompareResult.KeyDifference k : d.differences()) {
                out.add("  " + kind(k.kind()) + ": " + key(names, k.key()));
            }
            if (d.truncated()) {
                out.add("  ... and " + count(d.totalDifferences() - d.differences().size()) + " more (maxkeys=" + d.differences().size() + ")");
            }
        }
        return out;
    }

    static String kind(CompareResult.Kind k) {
        return switch (k) {
            case MISSING_ON_TARGET -> "missing on target";
            case EXTRA_ON_TARGET -> "extra on target";
            case DIFFERENT -> "different";
        };
    }

    /** {@code id=42}, {@code a=x, b=1}; {@code (x,1)} when the column names are not known. */
    static String key(List<String> names, List<String> values) {
        if (names.size() != values.size() || names.isEmpty()) {
            return "(" + String.join(",", values) + ")";
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            parts.add(names.get(i) + "=" + values.get(i));
        }
        return String.join(", ", parts);
    }

    /**
     * Shows a verify's progress: on a console one line per table and target, redrawn with \r as
     * {@code public.t -> rds96 [#########...........] 45% 450,000/1,000,000 rows}; elsewhere (a pipe, a log)
     * a line {@code public.t -> rds96: compared 1,000,000 rows} as each table is done. Nothing with --quiet.
     */
    static final class ProgressPrinter implements Ibex.VerifyProgress, AutoCloseable {
        static final int BAR = 20;
        private final Context ctx;
        private final boolean live;
        private String current;
        private long done;
        private int shownPercent = -1;
        private int shownWidth;

        ProgressPrinter(Context ctx) {
            this(ctx, ctx.out == System.out && System.console() != null);
        }

        ProgressPrinter(Context ctx, boolean live) {
            this.ctx = ctx;
            this.live = live;
        }

        @Override
        public void update(String table, String target, long rowsDone, long total) {
            String item = table + " -> " + target;
            if (!item.equals(current)) {
                finish();
                current = item;
                shownPercent = -1;
            }
            done = rowsDone;
            int percent = percent(rowsDone, total);
            if (live && !ctx.options.quiet() && percent != shownPercent) {
                shownPercent = percent;
                draw(bar(item, rowsDone, total));
            }
        }

        /** Ends the line of the table in progress, if any. */
        void finish() {
            if (current == null) {
                return;
            }
            String line = current + ": compared " + count(done) + (done == 1 ? " row" : " rows");
            current = null;
            if (ctx.options.quiet()) {
                return;
            }
            if (live) {
                draw(line);
                ctx.out.println();
                shownWidth = 0;
            } else {
                ctx.print(line);
            }
        }

        private void draw(String line) {
            ctx.out.print("\r" + Formats.pad(line, shownWidth));
            ctx.out.flush();
            shownWidth = line.length();
        }

        /** After a failure: ends a half-drawn bar so that the error starts on a line of its own; no "compared" line. */
        @Override
        public void close() {
            if (current != null && live && shownWidth > 0) {
                ctx.out.println();
                shownWidth = 0;
            }
            current = null;
        }

        static int percent(long done, long total) {
            if (total <= 0) {
                return 100;
            }
            return (int) Math.min(100, Math.max(0, done * 100 / total));
        }

        static String bar(String item, long done, long total) {
            int percent = percent(done, total);
            int filled = percent * BAR / 100;
            return item + " [" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] " + percent + "% " + count(done) + "/"
                    + count(Math.max(done, total)) + " rows";
        }
    }
}
