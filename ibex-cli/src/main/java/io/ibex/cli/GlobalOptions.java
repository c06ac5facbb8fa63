package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.db.ConnectionSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The settings every command shares, each taken from the first place that has it: the command line, the
 * environment ({@code IBEX_DBHOST} ...), the rc file, then the built-in default.
 */
record GlobalOptions(String dbhost, int dbport, String dbname, String dbuser, String dbpass, Path piddir, Path logdir,
                     String logLevel, boolean force, boolean debug, boolean quiet, boolean batch, Path rcFile) {

    static final Set<String> LOG_LEVELS = Set.of("terse", "normal", "verbose", "debug");

    /** The repository connection; the password is never printed (see ConnectionSpec.toString). */
    ConnectionSpec repository() {
        return new ConnectionSpec(dbhost, dbport, dbname, dbuser, dbpass);
    }

    static GlobalOptions resolve(Args args, Map<String, String> env, Path cwd, Path home) {
        Path rc = RcFile.find(args.value("ibexrc"), args.flag("no-ibexrc"), cwd, home);
        Map<String, String> rcValues = rc == null ? Map.of() : RcFile.read(rc);
        Resolver r = new Resolver(args, env, rcValues);
        String user = r.get("dbuser", "IBEX_DBUSER", firstNonBlank(env.get("PGUSER"), System.getProperty("user.name")));
        String portText = r.get("dbport", "IBEX_DBPORT", "5432");
        int port;
        try {
            port = Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
            throw new IbexException("the repository port must be a number, not \"" + portText + "\"");
        }
        if (port <= 0 || port > 65535) {
            throw new IbexException("the repository port must be between 1 and 65535, not " + port);
        }
        String level = r.get("log_level", "IBEX_LOG_LEVEL", "normal").toLowerCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            throw new IbexException("the log level must be terse, normal, verbose or debug, not \"" + level + "\"");
        }
        String pass = r.get("dbpass", "IBEX_DBPASS", null);
        return new GlobalOptions(
                r.get("dbhost", "IBEX_DBHOST", "localhost"),
                port,
                r.get("dbname", "IBEX_DBNAME", "ibex"),
                user,
                pass == null || pass.isEmpty() ? null : pass,
                RcFile.expandHome(r.get("piddir", "IBEX_PIDDIR", "~/.ibex/run"), home).toAbsolutePath().normalize(),
                RcFile.expandHome(r.get("logdir", "IBEX_LOGDIR", "~/.ibex/log"), home).toAbsolutePath().normalize(),
                level,
                args.flag("force"),
                args.flag("debug") || Resolver.truthy(rcValues.get("debug")),
                args.flag("quiet") || Resolver.truthy(rcValues.get("quiet")),
                args.flag("batch") || Resolver.truthy(rcValues.get("batch")),
                rc);
    }

    /**
     * The arguments that make a daemon process use these settings, without the password (that goes through the
     * environment as IBEX_DBPASS) and without reading an rc file of its own.
     */
    List<String> daemonArgs() {
        return List.of("--no-ibexrc", "--dbhost", dbhost, "--dbport", String.valueOf(dbport), "--dbname", dbname,
                "--dbuser", dbuser, "--piddir", piddir.toString(), "--logdir", logdir.toString(), "--log-level", logLevel);
    }

    @Override
    public String toString() {
        return "GlobalOptions[" + dbhost + ":" + dbport + "/" + dbname + " as " + dbuser + (dbpass != null ? ", password set" : "")
                + ", piddir " + piddir + ", logdir " + logdir + ", log level " + logLevel + "]";
    }

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a : b;
    }

    private record Resolver(Args args, Map<String, String> env, Map<String, String> rc) {
        String get(String name, String envName, String fallback) {
            String v = args.value(name);
            if (v == null || v.isEmpty()) {
                v = env.get(envName);
            }
            if (v == null || v.isEmpty()) {
                v = rc.get(name);
            }
            return v == null || v.isEmpty() ? fallback : v;
        }

        static boolean truthy(String v) {
            return v != null && Set.of("1", "t", "true", "on", "yes", "y").contains(v.trim().toLowerCase(Locale.ROOT));
        }
    }
}
