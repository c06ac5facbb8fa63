package io.ibex.cli;

import io.ibex.IbexException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GlobalOptionsTest {
    @TempDir
    Path cwd;
    @TempDir
    Path home;

    private GlobalOptions resolve(Map<String, String> env, String... argv) {
        return GlobalOptions.resolve(Args.parse(argv), env, cwd, home);
    }

    @Test
    void builtInDefaults() {
        GlobalOptions o = resolve(Map.of("PGUSER", "pguser"), "status");
        assertThat(o.dbhost()).isEqualTo("localhost");
        assertThat(o.dbport()).isEqualTo(5432);
        assertThat(o.dbname()).isEqualTo("ibex");
        assertThat(o.dbuser()).isEqualTo("pguser");
        assertThat(o.dbpass()).isNull();
        assertThat(o.piddir()).isEqualTo(home.resolve(".ibex/run"));
        assertThat(o.logdir()).isEqualTo(home.resolve(".ibex/log"));
        assertThat(o.logLevel()).isEqualTo("normal");
        assertThat(o.rcFile()).isNull();
        assertThat(resolve(Map.of(), "status").dbuser()).isEqualTo(System.getProperty("user.name"));
    }

    @Test
    void commandLineBeatsEnvironmentBeatsRcFile() throws IOException {
        Files.writeString(home.resolve(".ibexrc"), """
                # repository
                dbhost = rc-host
                dbport: 7000
                dbname = rcdb   # trailing comment
                dbuser = rcuser
                dbpass = 'rc#pass'
                piddir = ~/rcrun
                log-level = verbose
                """);
        Map<String, String> env = Map.of("IBEX_DBHOST", "env-host", "IBEX_DBNAME", "envdb");
        GlobalOptions o = resolve(env, "--dbhost", "cli-host", "status");
        assertThat(o.dbhost()).isEqualTo("cli-host");
        assertThat(o.dbname()).isEqualTo("envdb");
        assertThat(o.dbport()).isEqualTo(7000);
        assertThat(o.dbuser()).isEqualTo("rcuser");
        assertThat(o.dbpass()).isEqualTo("rc#pass");
        assertThat(o.piddir()).isEqualTo(home.resolve("rcrun"));
        assertThat(o.logLevel()).isEqualTo("verbose");
        assertThat(o.rcFile()).isEqualTo(home.resolve(".ibexrc"));
        assertThat(resolve(Map.of("IBEX_DBPASS", "envpw"), "status").dbpass()).isEqualTo("envpw");
        assertThat(resolve(Map.of("IBEX_DBPASS", "envpw"), "status", "--dbpass=clipw").dbpass()).isEqualTo("clipw");
    }

    @Test
    void currentDirectoryRcFileComesFirst() throws IOException {
        Files.writeString(home.resolve(".ibexrc"), "dbname = homedb\ndbhost = homehost\n");
        Files.writeString(cwd.resolve(".ibexrc"), "dbname = cwddb\n");
        GlobalOptions o = resolve(Map.of(), "status");
        assertThat(o.dbname()).isEqualTo("cwddb");
        assertThat(o.dbhost()).as("only the first rc file found is read").isEqualTo("localhost");
    }

    @Test
    void namedRcFileAndNoRcFile() throws IOException {
        Files.writeString(home.resolve(".ibexrc"), "dbname = homedb\n");
        Path other = cwd.resolve("other.rc");
        Files.writeString(other, "dbname = otherdb\n");
        assertThat(resolve(Map.of(), "--ibexrc", other.toString(), "status").dbname()).isEqualTo("otherdb");
        assertThat(resolve(Map.of(), "--no-ibexrc", "status").dbname()).isEqualTo("ibex");
        assertThatThrownBy(() -> resolve(Map.of(), "--ibexrc", cwd.resolve("missing").toString(), "status"))
                .isInstanceOf(IbexException.class).hasMessageContaining("does not exist");
    }

    @Test
    void rcFileErrorsNameTheLine() throws IOException {
        Files.writeString(home.resolve(".ibexrc"), "dbhost = x\ndbhots = y\n");
        assertThatThrownBy(() -> resolve(Map.of(), "status")).isInstanceOf(IbexException.class)
                .hasMessageContaining("line 2").hasMessageContaining("dbhots");
    }

    @Test
    void rcParsingAcceptsBothSeparatorsAndBucardoNames() {
        Map<String, String> m = RcFile.parse("rc", List.of("db-host: a", "DB_PORT=5", "pid_dir = /p", "  # only a comment", "",
                "log_level = debug"));
        assertThat(m).containsEntry("dbhost", "a").containsEntry("dbport", "5").containsEntry("piddir", "/p").containsEntry("log_level", "debug");
    }

    @Test
    void badPortAndLogLevel() {
        assertThatThrownBy(() -> resolve(Map.of(), "--dbport", "x", "status")).isInstanceOf(IbexException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> resolve(Map.of(), "--log-level", "loud", "status")).isInstanceOf(IbexException.class)
                .hasMessageContaining("terse, normal, verbose or debug");
    }

    @Test
    void daemonArgumentsCarryEverythingButThePassword() {
        GlobalOptions o = resolve(Map.of(), "--dbpass", "s3cret", "--dbhost", "h", "--dbuser", "u", "--piddir", "/tmp/p", "status");
        assertThat(o.daemonArgs()).doesNotContain("s3cret").contains("--no-ibexrc", "h", "u", "/tmp/p", "--log-level", "normal");
        assertThat(o.toString()).doesNotContain("s3cret");
        assertThat(o.repository().toString()).doesNotContain("s3cret");
        GlobalOptions d = GlobalOptions.resolve(Args.parse(o.daemonArgs().toArray(String[]::new)), Map.of("IBEX_DBPASS", "s3cret"), cwd, home);
        assertThat(d.repository()).isEqualTo(o.repository());
        assertThat(d.piddir()).isEqualTo(o.piddir());
    }
}
