package io.ibex.cli;

import io.ibex.IbexException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An rc file ({@code ./.ibexrc} or {@code ~/.ibexrc}): lines {@code name = value} or {@code name: value},
 * {@code #} starts a comment. Names are the global options without dashes (dbhost, dbport, dbname, dbuser,
 * dbpass, piddir, logdir, log_level, quiet, debug); {@code db-host}, {@code db_host} and {@code pid-dir} work too.
 */
final class RcFile {

    static final Set<String> NAMES = Set.of("dbhost", "dbport", "dbname", "dbuser", "dbpass", "piddir", "logdir", "log_level",
            "quiet", "debug", "batch");

    private RcFile() {
    }

    /** The first rc file that exists, unless one was named or they are skipped; null if none. */
    static Path find(String named, boolean skip, Path cwd, Path home) {
        if (skip) {
            return null;
        }
        if (named != null) {
            Path p = expandHome(named, home);
            if (!Files.isRegularFile(p)) {
                throw new IbexException("the rc file " + p + " does not exist");
            }
            return p;
        }
        for (Path p : new Path[] {cwd.resolve(".ibexrc"), home.resolve(".ibexrc")}) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    static Map<String, String> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IbexException("cannot read the rc file " + file + ": " + e.getMessage());
        }
        return parse(file.toString(), lines);
    }

    static Map<String, String> parse(String where, List<String> lines) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = stripComment(lines.get(i)).trim();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            int colon = line.indexOf(':');
            int at = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
            if (at <= 0) {
                throw new IbexException(where + " line " + (i + 1) + ": expected name = value");
            }
            String name = canonical(line.substring(0, at).trim());
            if (!NAMES.contains(name)) {
                throw new IbexException(where + " line " + (i + 1) + ": unknown setting \"" + line.substring(0, at).trim()
                        + "\" (known: " + String.join(", ", NAMES.stream().sorted().toList()) + ")");
            }
            out.put(name, unquote(line.substring(at + 1).trim()));
        }
        return out;
    }

    /** dbhost, db-host, db_host, DBHOST → dbhost; log-level, loglevel → log_level. */
    static String canonical(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        return n.equals("loglevel") ? "log_level" : n;
    }

    private static String stripComment(String line) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '\'' && !dbl) {
                single = !single;
            } else if (ch == '"' && !single) {
                dbl = !dbl;
            } else if (ch == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    static Path expandHome(String path, Path home) {
        if (path.equals("~")) {
            return home;
        }
        if (path.startsWith("~/")) {
            return home.resolve(path.substring(2));
        }
        return Path.of(path);
    }
}
