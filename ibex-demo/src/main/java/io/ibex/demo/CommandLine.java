package io.ibex.demo;

import java.io.PrintStream;
import java.util.Map;

/**
 * Runs one {@code ibex} command as a user types it, for the demo to show: the command line passes itself in, so the
 * demo does not depend on it.
 */
@FunctionalInterface
public interface CommandLine {

    /** @return the exit code */
    int run(String[] argv, PrintStream out, PrintStream err, Map<String, String> env);
}
