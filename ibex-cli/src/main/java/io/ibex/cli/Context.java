package io.ibex.cli;

import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;
import io.ibex.engine.DaemonProcess;

import java.io.PrintStream;
import java.util.Map;
import java.util.function.Function;

/** What a command runs with: its words, the resolved global options, the output streams and the API. */
final class Context {
    final Args args;
    final GlobalOptions options;
    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    private final Function<ConnectionSpec, Ibex> ibexFactory;
    private Ibex ibex;

    Context(Args args, GlobalOptions options, PrintStream out, PrintStream err, Map<String, String> env,
            Function<ConnectionSpec, Ibex> ibexFactory) {
        this.args = args;
        this.options = options;
        this.out = out;
        this.err = err;
        this.env = env;
        this.ibexFactory = ibexFactory;
    }

    Ibex ibex() {
        if (ibex == null) {
            ibex = ibexFactory.apply(options.repository());
        }
        return ibex;
    }

    DaemonProcess daemonProcess() {
        return new DaemonProcess(options.piddir(), options.logdir(), Main.daemonCommand());
    }

    /** A confirmation such as {@code Added sync "s"}: not printed with --quiet. */
    void say(String line) {
        if (!options.quiet()) {
            out.println(line);
        }
    }

    /** Something the user should act on though the command succeeded: one line on stderr, even with --quiet. */
    void warn(String line) {
        err.println("ibex: warning: " + line);
    }

    /** Output the user asked for (lists, status, help): always printed. */
    void print(String line) {
        out.println(line);
    }
}
