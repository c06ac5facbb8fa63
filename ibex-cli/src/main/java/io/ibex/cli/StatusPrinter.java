package io.ibex.cli;

import io.ibex.api.SyncStatus;
import io.ibex.model.DaemonInfo;
import io.ibex.model.Sync;
import io.ibex.model.SyncRun;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** What {@code ibex status} prints: the summary table, or the detail block of each sync, as Bucardo does. */
final class StatusPrinter {
    static final String RULE = "=".repeat(70);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ENGLISH);
    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("MMM dd HH:mm:ss", Locale.ENGLISH);
    private static final DateTimeFormatter FULL = DateTimeFormatter.ofPattern("MMM dd, yyyy HH:mm:ss", Locale.ENGLISH);
    private static final String[] HEADERS = {"Name", "State", "Last good", "Time", "Last I/D", "Last bad", "Time"};

    private final ZonedDateTime now;

    StatusPrinter(ZonedDateTime now) {
        this.now = now;
    }

    static StatusPrinter atNow() {
        return new StatusPrinter(ZonedDateTime.now(ZoneId.systemDefault()));
    }

    /** The first line of the summary. */
    static String pidLine(Optional<Long> pid) {
        return pid.map(p -> "PID of ibex daemon: " + p).orElse("ibex is not running");
    }

    /**
     * One registered daemon: {@code Daemon NAME: pid N on HOST, ibex VERSION, started ..., heartbeat 1s ago}, and
     * when the heartbeat is stale, why: the daemon is gone (its repository session ended), or it does not respond.
     */
    String daemonLine(DaemonInfo d) {
        String base = "Daemon " + d.name() + ": pid " + d.pid() + " on " + d.host() + ", ibex " + d.version() + ", started "
                + shortTime(d.started()) + ", " + (d.sessionAlive() ? "heartbeat " : "last heartbeat ") + pretty(d.heartbeatAge()) + " ago";
        String stopping = d.stopRequested() != null && d.sessionAlive() ? ", stopping" : "";
        return base + stopping + switch (d.state()) {
            case RUNNING -> "";
            case NOT_RESPONDING -> " (STALE: not responding for " + pretty(d.heartbeatAge()) + "; frozen or stuck?)";
            case GONE -> " (STALE: gone, its repository session has ended: killed or crashed)";
        };
    }

    /**
     * Which daemon runs each active sync (several daemons share a repository, issue 22): one line per sync, saying
     * why none runs it when none does.
     */
    List<String> leaseLines(List<SyncStatus> statuses, List<io.ibex.repository.Leases.Lease> leases, List<DaemonInfo> daemons) {
        java.util.Map<String, io.ibex.repository.Leases.Lease> bySync = new java.util.HashMap<>();
        leases.forEach(l -> bySync.put(l.sync(), l));
        List<String> out = new ArrayList<>();
        for (SyncStatus s : statuses.stream().sorted(Comparator.comparing(x -> x.sync().name())).toList()) {
            if (!s.sync().active()) {
                continue;
            }
            io.ibex.repository.Leases.Lease l = bySync.get(s.sync().name());
            String pinned = l == null || l.pinned() == null ? "" : ", pinned to " + l.pinned();
            String line;
            if (l != null && l.held()) {
                line = "runs on daemon " + l.owner() + " (lease epoch " + l.epoch() + ", renewed, expires in " + pretty(l.expiresIn()) + ")" + pinned;
            } else if (l != null && l.pinned() != null && daemons.stream().noneMatch(d -> d.name().equals(l.pinned()) && d.running())) {
                line = "waits: pinned to daemon " + l.pinned() + ", which is not running";
            } else if (l != null && l.owner() != null) {
                line = "no daemon runs it: the lease of " + l.owner() + " expired " + pretty(l.expiresIn().negated())
                        + " ago (another daemon takes it over)" + pinned;
            } else {
                line = "no daemon runs it" + (daemons.stream().anyMatch(DaemonInfo::running) ? " yet" : ": no daemon is running") + pinned;
            }
            out.add("Sync " + s.sync().name() + ": " + line);
        }
        return out;
    }

    /** The summary table: one row per sync; Last I/D is inserts/deletes, then /conflicts when any (Bucardo's I/D/C). */
    List<String> summary(List<SyncStatus> statuses) {
        List<String[]> rows = new ArrayList<>();
        for (SyncStatus s : statuses.stream().sorted(Comparator.comparing(x -> x.sync().name())).toList()) {
            Optional<SyncRun> good = s.lastGood().flatMap(g -> Optional.ofNullable(g.ended()).map(e -> g));
            Optional<SyncRun> bad = s.lastBad().flatMap(b -> Optional.ofNullable(b.ended()).map(e -> b));
            rows.add(new String[] {
                    s.sync().name(),
                    s.currentState() == null ? "Unknown" : s.currentState(),
                    good.map(g -> shortTime(g.ended())).orElse("none"),
                    good.map(g -> pretty(Duration.between(g.ended().toInstant(), now.toInstant()))).orElse(""),
                    rowsRun(s).map(StatusPrinter::insertsDeletes).orElse(""),
                    bad.map(b -> shortTime(b.ended())).orElse("none"),
                    bad.map(b -> pretty(Duration.between(b.ended().toInstant(), now.toInstant()))).orElse("")});
        }
        int[] w = new int[HEADERS.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = HEADERS[i].length();
            for (String[] r : rows) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        List<String> out = new ArrayList<>();
        StringBuilder head = new StringBuilder();
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            head.append(' ').append(Formats.pad(HEADERS[i], w[i])).append(i < w.length - 1 ? "  " : "");
            rule.append("=".repeat(w[i] + 2)).append(i < w.length - 1 ? "+" : "");
        }
        out.add(head.toString().stripTrailing());
        out.add(rule.toString());
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < w.length; i++) {
                line.append(' ').append(Formats.pad(r[i], w[i])).append(i < w.length - 1 ? " |" : "");
            }
            out.add(line.toString().stripTrailing());
        }
        return out;
    }

    /** The run whose row counts are shown: the last good run that moved rows, else the last good (empty) one. */
    private static Optional<SyncRun> rowsRun(SyncStatus s) {
        return s.lastWithRows().isPresent() ? s.lastWithRows() : s.lastGood();
    }

    /**
     * {@code 294/10}, or {@code 294/10/3} with 3 conflicts: the third number is always conflicts, as in Bucardo.
     * Truncates are not in the summary (a third number would be ambiguous): the detail shows them.
     */
    static String insertsDeletes(SyncRun r) {
        return r.inserts() + "/" + r.deletes() + (r.conflicts() > 0 ? "/" + r.conflicts() : "");
    }

    /** The detail block of one sync (without the rules around it), keys padded to 25 characters. */
    List<String> detail(SyncStatus s) {
        List<String> out = new ArrayList<>();
        Sync sync = s.sync();
        s.lastGood().filter(r -> r.ended() != null).ifPresent(g ->
                out.add(line("Last good", full(g.ended()) + " (time to run: " + pretty(Duration.between(g.started(), g.ended())) + ")")));
        rowsRun(s).ifPresent(r -> out.add(line("Rows deleted/inserted", r.deletes() + " / " + r.inserts()
                + (r.truncates() > 0 ? " / truncates " + r.truncates() : "") + (r.conflicts() > 0 ? " / conflicts " + r.conflicts() : ""))));
        s.lastBad().filter(r -> r.ended() != null).ifPresent(b ->
                out.add(line("Last bad", full(b.ended()) + " (time until fail: " + pretty(Duration.between(b.started(), b.ended())) + ")")));
        out.add(line("Sync name", sync.name()));
        out.add(line("Current state", s.currentState() == null ? "Unknown" : s.currentState()));
        out.add(line("Source relgroup/database", sync.relgroup() + " / " + s.sourceDb()));
        out.add(line("Tables in sync", String.valueOf(s.tables())));
        out.add(line("Status", (sync.active() ? "Active" : "Inactive") + (sync.paused() ? " (paused)" : "")));
        if (s.inactiveDbs() != null && !s.inactiveDbs().isEmpty()) {
            out.add(line("Inactive databases", String.join(", ", s.inactiveDbs()) + " (skipped; their changes wait)"));
        }
        out.add(line("Check time", sync.checktimeSeconds() == null ? "None" : clock(sync.checktimeSeconds())));
        out.add(line("Overdue time", "00:00:00"));
        out.add(line("Expired time", "00:00:00"));
        out.add(line("Stayalive/Kidsalive", yesNo(sync.stayalive()) + " / " + yesNo(sync.kidsalive())));
        out.add(line("Rebuild index", yesNo(sync.rebuildIndex() > 0)));
        out.add(line("Autokick", yesNo(sync.autokick())));
        out.add(line("Onetimecopy", switch (sync.onetimecopy()) {
            case 0 -> "No";
            case 2 -> "Yes (empty targets only)";
            default -> "Yes";
        }));
        out.add(line("Post-copy analyze", yesNo(sync.analyzeAfterCopy())));
        out.add(line("Backlog", backlog(s)));
        if (s.held() != null) {
            s.held().forEach(h -> out.add(line("Held table", h)));
        }
        if (s.replicaModes() != null) {
            s.replicaModes().forEach((db, mode) -> out.add(line("Replica mode", db + ": " + mode)));
        }
        if (s.copies() != null) {
            for (String[] c : CopyProgressText.lines(s.copies())) {
                out.add(line("Copy progress", c[0] + ": " + c[1]));
            }
        }
        out.add(line("Last error:", lastError(s)));
        return out;
    }

    /** The last bad run's error with its time, and whether a good run ended since (then it is history, not the state). */
    private String lastError(SyncStatus s) {
        Optional<SyncRun> bad = s.lastBad().filter(b -> b.ended() != null && b.error() != null && !b.error().isBlank());
        if (bad.isEmpty()) {
            return "";
        }
        OffsetDateTime at = bad.get().ended();
        boolean goodSince = s.lastGood().map(SyncRun::ended).filter(g -> g.isAfter(at)).isPresent();
        return full(at) + (goodSince ? " (good runs since)" : "") + ": " + oneLine(bad.get().error());
    }

    /** All the detail blocks, each between lines of 70 = signs. */
    List<String> details(List<SyncStatus> statuses) {
        List<String> out = new ArrayList<>();
        out.add(RULE);
        for (SyncStatus s : statuses) {
            out.addAll(detail(s));
            out.add(RULE);
        }
        return out;
    }

    static String backlog(SyncStatus s) {
        if (s.backlogError() != null) {
            return "unknown: " + oneLine(s.backlogError());
        }
        return backlog(s.backlog());
    }

    /** {@code rds96: 12 changes, other: 1 change}, or None. */
    static String backlog(Map<String, Long> backlog) {
        if (backlog.isEmpty()) {
            return "None";
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Long> e : backlog.entrySet()) {
            parts.add(e.getKey() + ": " + (e.getValue() == null ? "unknown" : e.getValue() + (e.getValue() == 1 ? " change" : " changes")));
        }
        return String.join(", ", parts);
    }

    static String line(String key, String value) {
        return Formats.pad(key, 25) + ": " + value;
    }

    static String yesNo(boolean b) {
        return b ? "Yes" : "No";
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    String shortTime(OffsetDateTime t) {
        ZonedDateTime local = t.atZoneSameInstant(now.getZone());
        return local.toLocalDate().equals(now.toLocalDate()) ? TIME.format(local) : DAY_TIME.format(local);
    }

    String full(OffsetDateTime t) {
        return FULL.format(t.atZoneSameInstant(now.getZone()));
    }

    /** 00:05:00 for 300 seconds. */
    static String clock(long seconds) {
        return String.format("%02d:%02d:%02d", seconds / 3600, seconds % 3600 / 60, seconds % 60);
    }

    /** 7s, 1m 3s, 2h 5m 1s, 3d 4h: zero parts left out; never negative. */
    static String pretty(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (d.isNegative() || s == 0) {
            return "0s";
        }
        long days = s / 86400;
        long hours = s % 86400 / 3600;
        long minutes = s % 3600 / 60;
        long seconds = s % 60;
        List<String> parts = new ArrayList<>();
        if (days > 0) {
            parts.add(days + "d");
        }
        if (hours > 0) {
            parts.add(hours + "h");
        }
        if (minutes > 0) {
            parts.add(minutes + "m");
        }
        if (seconds > 0) {
            parts.add(seconds + "s");
        }
        return String.join(" ", parts);
    }
}
