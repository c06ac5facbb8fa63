package io.ibex.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import io.ibex.engine.LogFiles;
import io.ibex.engine.LogLevelControl;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Sends the daemon's log to logdir/log.ibex, one line per event in the walkthrough's shape: (pid) [time] ...
 * The one place that knows the logging backend is Logback.
 */
public final class DaemonLog {
    private DaemonLog() {
    }

    public static void toFile(Path file, String level) {
        LogFiles.restrict(file);
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("\\(" + ProcessHandle.current().pid() + "\\) [%d{EEE MMM d HH:mm:ss yyyy}] %msg%n");
        enc.start();
        FileAppender<ILoggingEvent> app = new FileAppender<>();
        app.setContext(ctx);
        app.setFile(file.toString());
        app.setAppend(true);
        app.setEncoder(enc);
        app.start();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(app);
        ctx.getLogger("io.ibex").setLevel(level(level));
    }

    /** How the daemon applies {@code ibex set log_level=...}: the level of every io.ibex logger. */
    public static LogLevelControl levelControl() {
        return level -> ((Logger) LoggerFactory.getLogger("io.ibex")).setLevel(level(level.text()));
    }

    /** Bucardo's levels (terse, normal, verbose, debug) and logback's. */
    public static Level level(String name) {
        if (name == null) {
            return Level.INFO;
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "terse", "warn", "warning" -> Level.WARN;
            case "verbose", "debug" -> Level.DEBUG;
            case "trace" -> Level.TRACE;
            case "error" -> Level.ERROR;
            default -> Level.INFO;
        };
    }
}
