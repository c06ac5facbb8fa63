package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.db.ConnectionSpec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code ibex} command: {@code ibex [options] VERB [OBJECT] [NAME ...] [key=value ...]}. Parses the line,
 * calls the API and prints; every failure is one line {@code ibex: message} on stderr (with the stack trace
 * only under --debug).
 */
public final class Main {

    /** Exit codes: 0 done, 1 a user error (bad input, missing object, unreachable database), 3 an internal error. */
    static final int OK = 0;
    static final int USER_ERROR = 1;
    static final int INTERNAL_ERROR = 3;

    /**
     * pgjdbc logs through java.util.logging, which prints multi-line warnings on stderr (a port out of range, a
     * failed connection); ibex reports those errors itself, in one line. Held here so the setting is not collected.
     */
    private static final Logger PGJDBC = Logger.getLogger("org.postgresql");

    static {
        PGJDBC.setLevel(Level.OFF);
    }

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err, System.getenv());
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * The command that runs {@code ibex daemon} in a process of its own: this JVM and class path (IBEX_CLASSPATH's
     * resolvers included), this class. {@code ibex start} adds the daemon's arguments.
     */
    public static List<String> daemonCommand() {
        String java = ProcessHandle.current().info().command().orElse("java");
        // the serial collector: the daemon's heap is small (a few MB live), and on a small machine G1's threads took CPU
        // the databases needed (a 3M-row copy beside them: 5.4 s of daemon CPU with G1, 3.9 s serial)
        return List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "daemon");
    }

    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        String home = env.get("HOME");
        return run(args, out, err, env, Ibex::new, Path.of("").toAbsolutePath(),
                Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home")));
    }

    static int run(String[] argv, PrintStream out, PrintStream err, Map<String, String> env,
                   Function<ConnectionSpec, Ibex> ibexFactory, Path cwd, Path home) {
        boolean debug = Arrays.asList(argv).contains("--debug");
        try {
            Args args = Args.parse(argv);
            List<String> words = Verbs.split(args.words());
            if (args.flag("version") || !words.isEmpty() && words.get(0).equals("version")) {
                out.println("ibex " + version());
                return OK;
            }
            if (args.flag("help") || !words.isEmpty() && words.get(0).equals("help")) {
                List<String> topic = !words.isEmpty() && words.get(0).equals("help") ? words.subList(1, words.size()) : words;
                return Help.print(out, err, topic);
            }
            if (words.isEmpty()) {
                err.println(Help.overview());
                return USER_ERROR;
            }
            String verb = words.get(0);
            if (Verbs.normalize(verb) == null) {
                throw new IbexException("unknown command \"" + verb + "\": run 'ibex help' for the list of commands");
            }
            GlobalOptions options = GlobalOptions.resolve(args, env, cwd, home);
            debug = debug || options.debug();
            Context ctx = new Context(args, options, out, err, env, ibexFactory);
            return Commands.dispatch(ctx, verb, words.subList(1, words.size()));
        } catch (IbexException e) {
            err.println("ibex: " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            return USER_ERROR;
        } catch (RuntimeException | Error e) {
            err.println("ibex: internal error: " + e.getClass().getName() + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage()))
                    + (debug ? "" : " (run with --debug for details)"));
            if (debug) {
                e.printStackTrace(err);
            }
            return INTERNAL_ERROR;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The version from the jar's Maven metadata; "development build" when run from classes. */
    static String version() {
        try (var in = Main.class.getResourceAsStream("/META-INF/maven/io.ibex/ibex/pom.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null) {
                    return v;
                }
            }
        } catch (java.io.IOException ignored) {
            // fall through
        }
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "(development build)";
    }
}
