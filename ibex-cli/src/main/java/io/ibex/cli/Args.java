package io.ibex.cli;

import io.ibex.IbexException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line split into options and words. Options may stand anywhere on the line, as {@code --dbhost x},
 * {@code --dbhost=x} or, for the short forms, {@code -h x} and {@code -hx}; {@code --} ends the options. Every
 * other word (verb, object, names, key=value) is kept in order for the command.
 */
final class Args {

    /** An option: its canonical name, whether it takes a value, whether it may be repeated. */
    record Spec(String name, boolean takesValue, boolean repeatable) {
    }

    private static final Map<String, Spec> LONG = new LinkedHashMap<>();
    private static final Map<String, Spec> SHORT = new LinkedHashMap<>();

    static {
        value("dbhost", "--dbhost", "--db-host", "-h");
        value("dbport", "--dbport", "--db-port", "-p");
        value("dbname", "--dbname", "--db-name", "-d");
        value("dbuser", "--dbuser", "--db-user", "-U");
        value("dbpass", "--dbpass", "--db-pass", "-P");
        value("ibexrc", "--ibexrc");
        value("piddir", "--piddir", "--pid-dir");
        value("logdir", "--logdir", "--log-dir");
        value("log_level", "--log-level", "--loglevel");
        repeat("schema", "--schema", "-n");
        repeat("exclude-schema", "--exclude-schema", "-N");
        repeat("table", "--table", "-t");
        repeat("exclude-table", "--exclude-table", "-T");
        value("db", "--db");
        value("relgroup", "--relgroup", "--herd");
        flag("no-ibexrc", "--no-ibexrc");
        flag("batch", "--batch");
        flag("force", "--force");
        flag("dry-run", "--dry-run");
        flag("debug", "--debug");
        flag("quiet", "--quiet", "-q");
        flag("verbose", "--verbose", "-v");
        flag("exit-on-nosync", "--exit-on-nosync");
        flag("version", "--version", "-V");
        flag("help", "--help", "-?");
    }

    private static void value(String name, String... spellings) {
        add(new Spec(name, true, false), spellings);
    }

    private static void repeat(String name, String... spellings) {
        add(new Spec(name, true, true), spellings);
    }

    private static void flag(String name, String... spellings) {
        add(new Spec(name, false, false), spellings);
    }

    private static void add(Spec spec, String... spellings) {
        for (String s : spellings) {
            (s.startsWith("--") ? LONG : SHORT).put(s, spec);
        }
    }

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, List<String>> lists = new LinkedHashMap<>();
    private final Set<String> flags = new LinkedHashSet<>();
    private final List<String> words = new ArrayList<>();

    private Args() {
    }

    static Args parse(String... argv) {
        Args a = new Args();
        boolean optionsEnded = false;
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (optionsEnded || arg.length() < 2 || !arg.startsWith("-") || arg.matches("-\\d+")) {
                a.words.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                optionsEnded = true;
                continue;
            }
            String name;
            String attached = null;
            Spec spec;
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                name = eq < 0 ? arg : arg.substring(0, eq);
                attached = eq < 0 ? null : arg.substring(eq + 1);
                spec = LONG.get(name.toLowerCase(java.util.Locale.ROOT));
            } else {
                name = arg.substring(0, 2);
                spec = SHORT.get(name);
                if (arg.length() > 2) {
                    attached = arg.charAt(2) == '=' ? arg.substring(3) : arg.substring(2);
                }
            }
            if (arg.equals("-h") && i + 1 == argv.length) {
                a.flags.add("help"); // a lone -h at the end: the user wants help, not a host
                continue;
            }
            if (spec == null) {
                throw new IbexException("unknown option " + name + ": run 'ibex help' for the options");
            }
            if (!spec.takesValue()) {
                if (attached != null) {
                    throw new IbexException("option " + name + " takes no value");
                }
                a.flags.add(spec.name());
                continue;
            }
            String value = attached;
            if (value == null) {
                if (i + 1 >= argv.length) {
                    throw new IbexException("option " + name + " needs a value");
                }
                value = argv[++i];
            }
            if (spec.repeatable()) {
                a.lists.computeIfAbsent(spec.name(), k -> new ArrayList<>()).add(value);
            } else {
                a.values.put(spec.name(), value);
            }
        }
        return a;
    }

    /** The value of a single-valued option, or null. */
    String value(String name) {
        return values.get(name);
    }

    /** The values of a repeatable option, in order (empty if not given). */
    List<String> list(String name) {
        return lists.getOrDefault(name, List.of());
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    /** The words that are not options, in order. */
    List<String> words() {
        return words;
    }
}
