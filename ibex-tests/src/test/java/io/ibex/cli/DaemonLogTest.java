package io.ibex.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** The daemon's log names databases, tables and keys: nobody but its owner and group may read it. */
class DaemonLogTest {
    @TempDir
    Path dir;

    @AfterEach
    void restoreLogging() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        new ContextInitializer(ctx).autoConfig();
    }

    @Test
    void theLogIsCreatedReadableByOwnerAndGroupOnly() throws Exception {
        Path log = dir.resolve("log").resolve("log.ibex");
        DaemonLog.toFile(log, "normal");
        LoggerFactory.getLogger("io.ibex.test").info("a line");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-r-----");
        assertThat(Files.readString(log)).contains("a line");
    }

    @Test
    void anExistingWorldReadableLogLosesThat() throws Exception {
        Path log = dir.resolve("log.ibex");
        Files.writeString(log, "old line\n");
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));
        DaemonLog.toFile(log, "normal");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-r-----");
        assertThat(Files.readString(log)).startsWith("old line\n");
    }
}
