package io.ibex.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

final class BenchLogging {

    private BenchLogging() {
    }

    /** The daemon's log (io.ibex, INFO) goes to a file; its warnings also to the console. */
    static void logTo(Path file) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n");
        enc.start();
        FileAppender<ILoggingEvent> fa = new FileAppender<>();
        fa.setContext(ctx);
        fa.setName("bench-file");
        fa.setFile(file.toString());
        fa.setEncoder(enc);
        fa.start();
        PatternLayoutEncoder enc2 = new PatternLayoutEncoder();
        enc2.setContext(ctx);
        enc2.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n");
        enc2.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setEncoder(enc2);
        ThresholdFilter warn = new ThresholdFilter();
        warn.setLevel("WARN");
        warn.start();
        console.addFilter(warn);
        console.start();
        for (String name : List.of("io.ibex", "io.zonky")) {
            ch.qos.logback.classic.Logger l = ctx.getLogger(name);
            l.setAdditive(false);
            l.addAppender(fa);
            l.addAppender(console);
        }
        ctx.getLogger("io.ibex").setLevel(Level.INFO);
    }
}
