package io.ibex.cli;

import io.ibex.IbexException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service of PostgreSQL's connection service file, as libpq finds it: {@code PGSERVICEFILE}, else
 * {@code ~/.pg_service.conf}, then {@code PGSYSCONFDIR/pg_service.conf} (or /etc/postgresql-common's). Its host, port,
 * dbname, user and password become {@code add db}'s settings; what the command line gives wins.
 */
final class PgServiceFile {
    private PgServiceFile() {
    }

    /** The settings of service name, as add db's keys; a one-line error when no file has that service. */
    static Map<String, String> settings(String service, Map<String, String> env, Path home) {
        List<Path> files = new ArrayList<>();
        if (env.get("PGSERVICEFILE") != null) {
            files.add(Path.of(env.get("PGSERVICEFILE")));
        } else {
            files.add(home.resolve(".pg_service.conf"));
        }
        files.add(Path.of(env.getOrDefault("PGSYSCONFDIR", "/etc/postgresql-common"), "pg_service.conf"));
        for (Path f : files) {
            Map<String, String> found = read(f, service);
            if (found != null) {
                return found;
            }
        }
        throw new IbexException("add db: service \"" + service + "\" is in no service file (looked in "
                + String.join(", ", files.stream().map(Path::toString).toList()) + ")");
    }

    private static Map<String, String> read(Path file, String service) {
        if (!Files.isReadable(file)) {
            return null;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IbexException("add db: cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> out = null;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                if (out != null) {
                    return out;
                }
                if (line.substring(1, line.length() - 1).strip().equals(service)) {
                    out = new LinkedHashMap<>();
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (out != null && eq > 0) {
                String key = line.substring(0, eq).strip();
                String value = line.substring(eq + 1).strip();
                switch (key) {
                    case "host", "hostaddr" -> out.putIfAbsent("dbhost", value);
                    case "port" -> out.put("dbport", value);
                    case "dbname" -> out.put("dbname", value);
                    case "user" -> out.put("dbuser", value);
                    case "password" -> out.put("dbpass", value);
                    default -> { } // sslmode and the rest: not settings of ibex's databases
                }
            }
        }
        return out;
    }
}
