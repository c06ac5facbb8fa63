package io.ibex.testkit;

import io.ibex.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** ibex's command line run in this JVM as a user types it, against one repository, with its output captured. */
public final class CommandLine {

    /** What one command printed and returned. */
    public record Result(int code, String out, String err) {
    }

    private final List<String> globals;
    private final Map<String, String> env;

    private CommandLine(List<String> globals, Map<String, String> env) {
        this.globals = globals;
        this.env = env;
    }

    /** The repository database repoDb on localhost:port as postgres; HOME, the pid and the log directory under home. */
    public static CommandLine of(int port, String repoDb, Path home, Path logdir) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("HOME", home.toString());
        return new CommandLine(List.of("--dbhost", "localhost", "--dbport", String.valueOf(port), "--dbname", repoDb,
                "--dbuser", "postgres", "--piddir", home.resolve("run").toString(), "--logdir", logdir.toString()), env);
    }

    /** The repository only, with HOME as the whole environment (no rc file, no IBEX_ variables). */
    public static CommandLine bare(int port, String repoDb, Path home) {
        return new CommandLine(List.of("--dbhost", "localhost", "--dbport", String.valueOf(port), "--dbname", repoDb,
                "--dbuser", "postgres"), Map.of("HOME", home.toString()));
    }

    public Result run(String... words) {
        List<String> argv = new ArrayList<>(globals);
        argv.addAll(List.of(words));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(argv.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs a command that must succeed; returns what it printed. */
    public String ok(String... words) {
        Result r = run(words);
        assertThat(r.code()).as("ibex %s\nout: %s\nerr: %s", String.join(" ", words), r.out(), r.err()).isZero();
        return r.out();
    }
}
