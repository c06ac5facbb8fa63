package io.ibex.api;

import io.ibex.engine.SnapshotTaker;
import io.ibex.model.DaemonSnapshot;
import io.ibex.model.DaemonSnapshot.SyncSnapshot;
import io.ibex.repository.Repository;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code ibex check}: the syncs' health in the Nagios/Icinga plugin convention (0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN), from the same measurement as the daemon's metrics ({@link SnapshotTaker}), so both agree.
 */
public final class HealthCheck {
    public static final int OK = 0;
    public static final int WARNING = 1;
    public static final int CRITICAL = 2;
    public static final int UNKNOWN = 3;
    private static final String[] WORDS = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

    /** The exit code and the one line to print. */
    public record Result(int code, String line) {
    }

    private final Supplier<Repository> repositories;
    private final BooleanSupplier daemonRunning;

    HealthCheck(Supplier<Repository> repositories, BooleanSupplier daemonRunning) {
        this.repositories = repositories;
        this.daemonRunning = daemonRunning;
    }

    Result check(List<String> names, double warn, double crit, String version) {
        DaemonSnapshot s;
        try (Repository repo = repositories.get()) {
            for (String n : names) {
                repo.requireSync(n);
            }
            s = SnapshotTaker.take(repo, names, version);
        }
        int code = OK;
        List<String> problems = new ArrayList<>();
        String noDaemon = daemonProblem();
        if (noDaemon != null) {
            code = WARNING;
            problems.add(noDaemon);
        }
        double worst = 0;
        long backlog = 0;
        StringBuilder perf = new StringBuilder();
        for (SyncSnapshot y : s.syncs()) {
            double lag = y.lagSeconds();
            worst = Math.max(worst, lag);
            backlog += y.backlog();
            int c = OK;
            String why = null;
            if ("Bad".equals(y.state())) {
                c = CRITICAL;
                why = "Bad" + (y.lastError() == null ? "" : ": " + y.lastError());
            } else if (y.targets().stream().anyMatch(t -> t.error() != null)) {
                c = CRITICAL;
                why = y.targets().stream().filter(t -> t.error() != null).findFirst().orElseThrow().error();
            } else if (lag >= crit) {
                c = CRITICAL;
                why = "lag " + seconds(lag) + " >= " + seconds(crit);
            } else if (lag >= warn) {
                c = WARNING;
                why = "lag " + seconds(lag) + " >= " + seconds(warn);
            }
            if ((!y.active() || y.paused()) && y.backlog() > 0) {
                c = Math.max(c, WARNING);
                why = (why == null ? "" : why + ", ") + (y.active() ? "paused" : "inactive") + " with a backlog of " + y.backlog();
            }
            if (c != OK) {
                problems.add(y.name() + " " + why);
            }
            code = Math.max(code, c);
            if (s.syncs().size() > 1) {
                perf.append(" '").append(y.name()).append("_lag'=").append(seconds(lag)).append(';').append(num(warn)).append(';').append(num(crit))
                        .append(" '").append(y.name()).append("_backlog'=").append(y.backlog());
            }
        }
        s.databases().forEach((db, up) -> {
            if (!up) {
                problems.add("database " + db + " down");
            }
        });
        if (s.databases().containsValue(false)) {
            code = Math.max(code, WARNING);
        }
        String text;
        if (s.syncs().isEmpty()) {
            code = Math.max(code, WARNING);
            text = "no sync to check" + (problems.isEmpty() ? "" : "; " + String.join("; ", problems));
        } else if (problems.isEmpty()) {
            text = s.syncs().size() == 1 ? s.syncs().get(0).name() + " " + s.syncs().get(0).state() + ", lag " + seconds(worst) + ", backlog " + backlog
                    : s.syncs().size() + " syncs, worst lag " + seconds(worst) + ", backlog " + backlog;
        } else {
            text = String.join("; ", problems);
        }
        return new Result(code, "IBEX " + WORDS[code] + " - " + text.replace('|', '/').replace('\n', ' ')
                + " | lag=" + seconds(worst) + ";" + num(warn) + ";" + num(crit) + " backlog=" + backlog + perf);
    }

    /**
     * Why no daemon counts, or null when one runs: the repository's daemon registry has none whose session is alive
     * and whose heartbeat is recent (a frozen or killed daemon counts as none), wherever it runs.
     */
    private String daemonProblem() {
        return daemonRunning.getAsBoolean() ? null : "no ibex daemon is running";
    }

    /** The UNKNOWN line for a check that could not be made (the repository away, bad input). */
    public static Result unknown(String why) {
        return new Result(UNKNOWN, "IBEX UNKNOWN - " + why.replace('|', '/').replace('\n', ' '));
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.1fs", s);
    }

    /** A threshold as given: 60, not 60.0. */
    private static String num(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.format(Locale.ROOT, "%.1f", d);
    }
}
