package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.engine.DaemonIdentity;
import io.ibex.engine.DaemonProcess;
import io.ibex.engine.Processes;
import io.ibex.model.DaemonInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code ibex stop [daemon=NAME] ["reason"]}: asks the daemons of this repository to stop through the repository
 * (wherever they run, whatever their --piddir) and waits until each has deregistered. The pid file is the fallback,
 * for a repository that cannot be read (unreachable, not yet upgraded) or a daemon that has not registered.
 */
final class DaemonStop {

    private DaemonStop() {
    }

    static int stop(Context ctx, List<String> rest) {
        Words w = Words.of(rest);
        String name = DaemonCommands.daemonName(w);
        Commands.noParams("stop", w);
        String reason = String.join(" ", w.names()).strip();
        DaemonProcess dp = ctx.daemonProcess();
        List<DaemonInfo> registered;
        try {
            registered = ctx.ibex().daemons();
        } catch (IbexException e) {
            if (name != null) {
                throw e;
            }
            Optional<ProcessHandle> local = dp.runningFor(ctx.options.repository().describe());
            if (local.isPresent()) {
                ctx.warn("cannot read the daemons from the repository (" + e.getMessage() + "): stopping the daemon of the pid file " + dp.pidFile());
            }
            return byPidFile(ctx, dp, local, reason);
        }
        List<DaemonInfo> chosen = registered.stream().filter(d -> name == null || d.name().equals(name)).toList();
        if (name != null && chosen.isEmpty()) {
            throw new IbexException("no daemon named \"" + name + "\" is registered in this repository" + (registered.isEmpty() ? ""
                    : " (registered: " + String.join(", ", registered.stream().map(DaemonInfo::name).toList()) + ")"));
        }
        for (DaemonInfo d : chosen) {
            if (!d.sessionAlive()) {
                ctx.say("The daemon " + d.name() + " (pid " + d.pid() + " on " + d.host() + ") is gone: its last heartbeat was "
                        + StatusPrinter.pretty(d.heartbeatAge()) + " ago");
            }
        }
        List<DaemonInfo> live = chosen.stream().filter(DaemonInfo::sessionAlive).toList();
        if (live.isEmpty()) {
            // a daemon of this repository that has not registered (starting, or an older release) has only its pid file
            return byPidFile(ctx, dp, name == null ? dp.runningFor(ctx.options.repository().describe()) : Optional.empty(), reason);
        }
        for (DaemonInfo d : live) {
            ctx.say("Stopping ibex (daemon " + d.name() + ", pid " + d.pid() + " on " + d.host() + ")");
        }
        ctx.ibex().requestDaemonStop(name, reason);
        List<DaemonInfo> left = awaitGone(ctx, live);
        String here = DaemonIdentity.localHost();
        for (DaemonInfo d : left) {
            if (d.host().equals(here) && Processes.alive(d.pid())) {
                ProcessHandle.of(d.pid()).ifPresent(ProcessHandle::destroyForcibly);
                ctx.warn("the daemon " + d.name() + " (pid " + d.pid() + ") did not stop within " + DaemonCommands.STOP_TIMEOUT.toSeconds()
                        + " s: killed it (SIGKILL)");
            } else {
                throw new IbexException("the daemon " + d.name() + " (pid " + d.pid() + " on " + d.host() + ") did not stop within "
                        + DaemonCommands.STOP_TIMEOUT.toSeconds() + " s");
            }
        }
        ctx.say("ibex stopped");
        return Main.OK;
    }

    /** Waits until each daemon has deregistered (or its session ended); returns those still there at the timeout. */
    private static List<DaemonInfo> awaitGone(Context ctx, List<DaemonInfo> live) {
        long deadline = System.nanoTime() + DaemonCommands.STOP_TIMEOUT.toNanos();
        List<DaemonInfo> left = new ArrayList<>(live);
        while (true) {
            List<DaemonInfo> now = ctx.ibex().daemons();
            left.removeIf(d -> now.stream().noneMatch(n -> n.name().equals(d.name()) && n.pid() == d.pid() && n.sessionAlive()));
            if (left.isEmpty() || System.nanoTime() > deadline) {
                return left;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IbexException("interrupted");
            }
        }
    }

    /** The fallback: SIGTERM to the pid file's daemon, then wait until it has finished its batch and exited. */
    private static int byPidFile(Context ctx, DaemonProcess dp, Optional<ProcessHandle> running, String reason) {
        if (running.isEmpty()) {
            dp.removeStalePidFile();
            ctx.say("ibex is not running");
            return Main.OK;
        }
        ctx.say("Stopping ibex (pid " + running.get().pid() + ", from the pid file " + dp.pidFile() + ")");
        logLine(dp.logFile(), "MCP Stop requested" + (reason.isEmpty() ? "" : ": " + reason));
        dp.stop(DaemonCommands.STOP_TIMEOUT);
        ctx.say("ibex stopped");
        return Main.OK;
    }

    /** Appends one line to the daemon's log, in its format, for what the command line did (stop and its reason). */
    private static void logLine(Path logFile, String text) {
        if (!Files.isDirectory(logFile.getParent())) {
            return;
        }
        String when = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ENGLISH).format(ZonedDateTime.now());
        try {
            Files.writeString(logFile, "(" + ProcessHandle.current().pid() + ") [" + when + "] " + text + System.lineSeparator(),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the log line is a courtesy; stopping matters more
        }
    }
}
