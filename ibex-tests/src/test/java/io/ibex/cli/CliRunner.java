package io.ibex.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Runs ibex in-process against a FakeIbex, capturing what it prints. */
final class CliRunner {
    final FakeIbex fake = new FakeIbex(new io.ibex.db.ConnectionSpec("localhost", 5432, "ibex", "me", null));
    final Path dir;
    io.ibex.db.ConnectionSpec lastSpec;
    String out;
    String err;

    CliRunner(Path dir) {
        this.dir = dir;
    }

    int run(String... args) {
        return run(Map.of(), args);
    }

    int run(Map<String, String> env, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8), env,
                spec -> {
                    lastSpec = spec;
                    return fake;
                }, dir, dir);
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return code;
    }
}
