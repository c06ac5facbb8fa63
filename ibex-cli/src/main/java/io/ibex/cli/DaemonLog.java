package io.ibex.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.ibex.IbexException;
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

    /** IBEX_LOG_FORMAT=json: one JSON object a line (Logback's JsonEncoder), for a log shipper. */
    public static final String FORMAT_VARIABLE = "IBEX_LOG_FORMAT";

    private static volatile FileAppender<ILoggingEvent> appender;

    public static void toFile(Path file, String level) {
        toFile(file, level, System.getenv(FORMAT_VARIABLE));
    }

    /** format: "json" for JSON lines, else (null, "text") the walkthrough's lines. */
    public static void toFile(Path file, String level, String format) {
        LogFiles.restrict(file);
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        Encoder<ILoggingEvent> enc = encoder(ctx, format);
        FileAppender<ILoggingEvent> app = new FileAppender<>();
        app.setContext(ctx);
        app.setFile(file.toString());
        app.setAppend(true);
        app.setEncoder(enc);
        app.start();
        appender = app;
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(app);
        ctx.getLogger("io.ibex").setLevel(level(level));
    }

    /** Refuses, in one line, a log format that is neither text nor json; returns the format, lower case. */
    public static String checkFormat(String format) {
        String f = format == null ? "text" : format.strip().toLowerCase(Locale.ROOT);
        if (!f.isEmpty() && !f.equals("text") && !f.equals("json")) {
            throw new IbexException(FORMAT_VARIABLE + " must be text or json, not \"" + format + "\"");
        }
        return f;
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext ctx, String format) {
        String f = checkFormat(format);
        if (f.equals("json")) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(ctx);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.setWithArguments(false);
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.start();
            return json;
        }
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("\\(" + ProcessHandle.current().pid() + "\\) [%d{EEE MMM d HH:mm:ss yyyy}] %msg%n");
        enc.start();
        return enc;
    }

    /**
     * {@code ibex reopen}: closes the log file and opens it again by its name, so that after logrotate moved it the
     * daemon writes a new one (created 0640, as at start).
     */
    public static void reopen() {
        FileAppender<ILoggingEvent> app = appender;
        if (app == null) {
            return;
        }
        LogFiles.restrict(Path.of(app.getFile()));
        app.stop();
        app.start();
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
