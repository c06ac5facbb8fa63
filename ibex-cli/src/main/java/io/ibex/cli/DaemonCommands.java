package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.engine.Daemon;
import io.ibex.engine.DaemonProcess;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** {@code ibex start|stop|restart} and the hidden {@code ibex daemon} that start launches. */
final class DaemonCommands {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(120);

    private DaemonCommands() {
    }

    /** {@code start ["reason"]}: refuses if a daemon runs, removes a stale pid file, launches the daemon in the background. */
    static int start(Context ctx, List<String> rest) {
        String reason = String.join(" ", rest).strip();
        if (ctx.args.flag("exit-on-nosync") && ctx.ibex().syncs().stream().noneMatch(io.ibex.model.Sync::active)) {
            throw new IbexException("start: there is no active sync, so ibex does not start (--exit-on-nosync)");
        }
        DaemonProcess dp = ctx.daemonProcess();
        ctx.say("Checking for existing processes");
        Optional<ProcessHandle> running = dp.running();
        if (running.isPresent()) {
            throw new IbexException("ibex is already running (pid " + running.get().pid() + ")");
        }
        if (Files.exists(dp.pidFile())) {
            ctx.say("Removing stale pid file " + dp.pidFile());
            dp.removeStalePidFile();
        }
        ctx.say("Starting ibex");
        List<String> args = new ArrayList<>(ctx.options.daemonArgs());
        if (!reason.isEmpty()) {
            args.add("--");
            args.add(reason);
        }
        Map<String, String> env = ctx.options.dbpass() == null ? Map.of() : Map.of("IBEX_DBPASS", ctx.options.dbpass());
        long pid = dp.start(args, env, START_TIMEOUT);
        ctx.say("ibex started (pid " + pid + "), log: " + dp.logFile());
        return Main.OK;
    }

    /** {@code ping [timeout=SECONDS]}: the daemon answers through the repository, or one line says none did. */
    static int ping(Context ctx, List<String> rest) {
        Words w = Words.of(rest);
        java.util.Map<String, String> params = w.paramsCopy();
        int seconds = Commands.intParam("ping", params, "timeout", 10, 1);
        Commands.noParams("ping", new Words(List.of(), params));
        Commands.noMoreNames("ping", w.names());
        Optional<Duration> took = ctx.ibex().ping(Duration.ofSeconds(seconds));
        if (took.isEmpty()) {
            throw new IbexException("ping: no ibex daemon answered within " + seconds + " s" + (ctx.ibex().daemonRunning()
                    ? " (one holds the repository's lock but is busy or stuck: see its log)" : ": start one with 'ibex start'"));
        }
        ctx.print("OK: the ibex daemon answered in " + took.get().toMillis() + " ms");
        return Main.OK;
    }

    /** {@code stop ["reason"]}: SIGTERM to the daemon, then wait until it has finished its batch and exited. */
    static int stop(Context ctx, List<String> rest) {
        String reason = String.join(" ", rest).strip();
        DaemonProcess dp = ctx.daemonProcess();
        Optional<ProcessHandle> running = dp.running();
        if (running.isEmpty()) {
            dp.removeStalePidFile();
            ctx.say("ibex is not running");
            return Main.OK;
        }
        ctx.say("Stopping ibex (pid " + running.get().pid() + ")");
        logLine(dp.logFile(), "MCP Stop requested" + (reason.isEmpty() ? "" : ": " + reason));
        dp.stop(STOP_TIMEOUT);
        ctx.say("ibex stopped");
        return Main.OK;
    }

    static int restart(Context ctx, List<String> rest) {
        stop(ctx, rest);
        return start(ctx, rest);
    }

    /**
     * {@code daemon ["reason"]}: runs the daemon in this process until SIGTERM (systemd can run it in the
     * foreground). Logs to logdir/log.ibex; the pid file is piddir/ibex.pid.
     */
    static int daemon(Context ctx, List<String> rest) {
        GlobalOptions o = ctx.options;
        try {
            Files.createDirectories(o.logdir());
        } catch (IOException e) {
            throw new IbexException("cannot create the log directory " + o.logdir() + ": " + e.getMessage());
        }
        DaemonLog.toFile(o.logdir().resolve(DaemonProcess.LOG_FILE), o.logLevel());
        String reason = String.join(" ", rest).strip();
        if (!reason.isEmpty()) {
            LoggerFactory.getLogger("io.ibex.cli").info("MCP Start reason: {}", reason);
        }
        Daemon daemon = new Daemon(o.repository(), o.piddir().resolve(DaemonProcess.PID_FILE), DaemonLog.levelControl());
        Thread hook = new Thread(() -> {
            daemon.requestStop();
            Thread waiter = new Thread(() -> {
                try {
                    daemon.awaitStopped();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "ibex-await-stop");
            waiter.setDaemon(true);
            waiter.start();
            try {
                waiter.join(STOP_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ibex-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            daemon.run();
            return Main.OK;
        } catch (IbexException e) {
            ctx.err.println("ibex: " + e.getMessage());
            LoggerFactory.getLogger("io.ibex.cli").error("MCP Failed: {}", e.getMessage());
            return Main.USER_ERROR;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it is what made run() return
            }
        }
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
