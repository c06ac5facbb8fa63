package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.engine.ConflictStrategy;
import io.ibex.model.Sync;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The options of a sync with Bucardo's defaults (as its schema has them, not as its docs say). */
record SyncOptions(String status, boolean autokick, Integer checktime, int onetimecopy, boolean stayalive, boolean kidsalive,
                   String conflictStrategy, String deletemethod, boolean analyzeAfterCopy, int rebuildIndex) {

    static SyncOptions defaults() {
        return new SyncOptions("active", true, null, 0, true, true, "latest", "delete", true, 0);
    }

    static SyncOptions of(Sync s) {
        return new SyncOptions(s.status(), s.autokick(), s.checktimeSeconds(), s.onetimecopy(), s.stayalive(), s.kidsalive(),
                s.conflictStrategy(), s.deletemethod(), s.analyzeAfterCopy(), s.rebuildIndex());
    }

    /** These options with whatever the parameters set; the parameters taken are removed from p. */
    SyncOptions with(Params p, String command) {
        String st = p.takeChoice(Set.of("active", "inactive"), "status");
        Boolean ak = p.takeBool("autokick", "ping");
        String ct = p.take("checktime");
        Integer otc = p.takeInt("onetimecopy");
        if (otc != null && (otc < 0 || otc > 2)) {
            throw new IbexException(command + ": onetimecopy must be 0, 1 or 2");
        }
        Boolean sa = p.takeBool("stayalive");
        Boolean ka = p.takeBool("kidsalive");
        String cs = p.take("conflict_strategy", "conflict", "standard_conflict");
        String dm = p.takeChoice(Set.of("delete", "truncate", "truncate_cascade"), "deletemethod");
        Boolean aac = p.takeBool("analyze_after_copy");
        Integer ri = p.takeInt("rebuild_index");
        return new SyncOptions(st != null ? st : status, ak != null ? ak : autokick, ct != null ? seconds(command, ct) : checktime,
                otc != null ? otc : onetimecopy, sa != null ? sa : stayalive, ka != null ? ka : kidsalive,
                cs != null ? conflict(cs) : conflictStrategy, dm != null ? dm : deletemethod,
                aac != null ? aac : analyzeAfterCopy, ri != null ? ri : rebuildIndex);
    }

    SyncOptions withAutokick(boolean on) {
        return new SyncOptions(status, on, checktime, onetimecopy, stayalive, kidsalive, conflictStrategy, deletemethod,
                analyzeAfterCopy, rebuildIndex);
    }

    Sync toSync(String name, String relgroup, String dbgroup) {
        return new Sync(name, relgroup, dbgroup, status, false, autokick, checktime, onetimecopy, stayalive, kidsalive,
                conflictStrategy, deletemethod, analyzeAfterCopy, rebuildIndex);
    }

    private static String conflict(String s) {
        String t = s.trim();
        if (t.toLowerCase(Locale.ROOT).startsWith("custom:")) {
            return "custom:" + t.substring("custom:".length()).trim();
        }
        String v = t.toLowerCase(Locale.ROOT).replace("bucardo_", "");
        if (v.equals("default") || v.equals("latest") || v.equals("skip") || v.equals("abort")) {
            return v.equals("default") ? "latest" : v;
        }
        return t; // a list of database names: their case is part of the names
    }

    /** A conflict strategy checked against the sync's source databases, as the daemon will check it. */
    static void checkConflictStrategy(String strategy, List<String> sources) {
        ConflictStrategy.parse(strategy, sources);
    }

    private static final Pattern INTERVAL = Pattern.compile("(\\d+)\\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours|d|day|days)?");

    /** An interval as Bucardo takes it: seconds, or "5 minutes", "30s", "1h"; 0 or "none" turns it off. */
    static Integer seconds(String command, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.equals("none") || t.equals("0")) {
            return null;
        }
        Matcher m = INTERVAL.matcher(t);
        if (!m.matches()) {
            throw new IbexException(command + ": checktime must be an interval such as 30, 30s, 5 minutes or 1h, not \"" + text + "\"");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        long factor = unit.startsWith("h") ? 3600 : unit.startsWith("d") ? 86400 : unit.startsWith("m") ? 60 : 1;
        long secs = n * factor;
        if (secs > Integer.MAX_VALUE) {
            throw new IbexException(command + ": checktime is too long");
        }
        return (int) secs;
    }
}
