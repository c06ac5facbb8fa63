package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.engine.Daemon;
import io.ibex.engine.DaemonIdentity;
import io.ibex.engine.DaemonProcess;
import io.ibex.engine.Processes;
import io.ibex.model.DaemonInfo;
import io.ibex.spi.MetricsSink;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/** {@code ibex start|restart} and the hidden {@code ibex daemon} that start launches; stop is {@link DaemonStop}. */
final class DaemonCommands {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(120);

    private DaemonCommands() {
    }

    /**
     * {@code start [daemon=NAME] ["reason"]}: refuses if a daemon of this repository of the same name is alive (its
     * session holds the daemon lock: the repository decides, not the pid file, so a dead or zombie process never
     * blocks a start); removes a stale pid file, launches the daemon in the
     * background. Daemons of other names join the repository's fleet (issue 22).
     */
    static int start(Context ctx, List<String> rest) {
        Words w = Words.of(rest);
        String name = daemonName(w);
        Commands.noParams("start", w);
        String reason = String.join(" ", w.names()).strip();
        if (ctx.args.flag("exit-on-nosync") && ctx.ibex().syncs().stream().noneMatch(io.ibex.model.Sync::active)) {
            throw new IbexException("start: there is no active sync, so ibex does not start (--exit-on-nosync)");
        }
        DaemonProcess dp = ctx.daemonProcess();
        DaemonLog.checkFormat(ctx.env.get(DaemonLog.FORMAT_VARIABLE));
        ctx.say("Checking for existing processes");
        String effective = name != null ? name : DaemonIdentity.localHost();
        for (DaemonInfo d : ctx.ibex().daemons()) {
            if (!d.name().equals(effective)) {
                continue; // another daemon of the fleet
            }
            String who = "daemon " + d.name() + ", pid " + d.pid() + " on " + d.host();
            if (d.state() == DaemonInfo.State.GONE) {
                ctx.say("Replacing the registration of " + who + ": it is gone (last heartbeat " + StatusPrinter.pretty(d.heartbeatAge()) + " ago)");
            } else if (d.host().equals(DaemonIdentity.localHost()) && !Processes.alive(d.pid())) {
                ctx.say("The " + who + " has died; its repository session is ending");
            } else if (d.state() == DaemonInfo.State.RUNNING) {
                throw new IbexException("ibex is already running (" + who + ")");
            } else {
                throw new IbexException("ibex is already running (" + who + "), but its heartbeat is stale (last "
                        + StatusPrinter.pretty(d.heartbeatAge()) + " ago): it may be frozen; stop it with 'ibex stop', or end the process");
            }
        }
        if (Files.exists(dp.pidFile()) && dp.running().isEmpty()) {
            ctx.say("Removing stale pid file " + dp.pidFile());
            dp.removeStalePidFile();
        }
        ctx.say("Starting ibex");
        List<String> args = new ArrayList<>(ctx.options.daemonArgs());
        if (name != null) {
            args.add("daemon=" + name);
        }
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

    /** {@code restart [daemon=NAME] ["reason"]}: stop (from any shell: through the repository), then start here. */
    static int restart(Context ctx, List<String> rest) {
        DaemonStop.stop(ctx, rest);
        return start(ctx, rest);
    }

    /** The daemon=NAME parameter, checked, taken out of the words; null when not given. */
    static String daemonName(Words w) {
        String name = w.params().remove("daemon");
        return name == null ? null : DaemonIdentity.checkName(name.strip());
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
        DaemonLog.toFile(o.logdir().resolve(DaemonProcess.LOG_FILE), o.logLevel(), ctx.env.get(DaemonLog.FORMAT_VARIABLE));
        Words w = Words.of(rest);
        String name = daemonName(w);
        Commands.noParams("daemon", w);
        String reason = String.join(" ", w.names()).strip();
        if (!reason.isEmpty()) {
            LoggerFactory.getLogger("io.ibex.cli").info("MCP Start reason: {}", reason);
        }
        Daemon daemon = new Daemon(o.repository(), o.piddir().resolve(DaemonProcess.PID_FILE), DaemonLog.levelControl(), name)
                .metrics(ServiceLoader.load(MetricsSink.class).findFirst().orElse(MetricsSink.NONE), Main.version())
                .onReopen(DaemonLog::reopen);
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
}
