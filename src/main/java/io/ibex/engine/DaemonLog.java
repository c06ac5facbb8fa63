package io.ibex.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/** Sends the daemon's log to logdir/log.ibex, one line per event in the walkthrough's shape: (pid) [time] ... */
public final class DaemonLog {
    private DaemonLog() {
    }

    public static void toFile(Path file, String level) {
        restrict(file);
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
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(app);
        ctx.getLogger("io.ibex").setLevel(level(level));
    }

    /**
     * The log names databases, tables and keys: it is created readable by its owner and group only (0640), and an
     * existing log readable by others loses that.
     */
    static void restrict(Path file) {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> mode = java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----");
        try {
            if (file.getParent() != null) {
                java.nio.file.Files.createDirectories(file.getParent());
            }
            if (!java.nio.file.Files.exists(file)) {
                java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(mode));
            }
            // createFile's mode is masked by the umask; set it exactly
            java.nio.file.Files.setPosixFilePermissions(file, mode);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own access rules apply
        } catch (java.io.IOException e) {
            throw new io.ibex.IbexException("cannot create the log file " + file + ": " + e.getMessage());
        }
    }

    /** Bucardo's levels (terse, normal, verbose, debug) and logback's. */
    public static Level level(String name) {
        if (name == null) {
            return Level.INFO;
        }
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "terse", "warn", "warning" -> Level.WARN;
            case "verbose", "debug" -> Level.DEBUG;
            case "trace" -> Level.TRACE;
            case "error" -> Level.ERROR;
            default -> Level.INFO;
        };
    }
}
