package io.ibex.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's own pgbench, where one is installed: the same TPC-B-like load as {@link io.ibex.workload.Pgbench}
 * from a C client in its own process, so that the load generator takes less of the machine than the Java one,
 * which runs in the benchmark's JVM beside the daemon.
 */
record PgbenchBinary(Path path, String version) {

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+)");

    static Optional<PgbenchBinary> find(Path pgBin) {
        List<Path> candidates = pgBin != null ? List.of(pgBin.resolve("pgbench")) : PgDump.installed("pgbench");
        for (Path p : candidates) {
            if (Files.isExecutable(p)) {
                String v = PgDump.run(List.of(p.toString(), "--version"));
                if (!v.startsWith("EXIT")) {
                    return Optional.of(new PgbenchBinary(p, v.replaceAll("^\\D*", "").trim()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * pgbench's tpcb-like script without its INSERT into pgbench_history, like the Java load (only tables with a key
     * are written), for a database of this scale.
     */
    static String script(int scale) {
        return "\\set aid random(1, " + 100_000L * scale + ")\n"
                + "\\set bid random(1, " + scale + ")\n"
                + "\\set tid random(1, " + 10L * scale + ")\n"
                + "\\set delta random(-5000, 5000)\n"
                + "BEGIN;\n"
                + "UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;\n"
                + "SELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n"
                + "UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;\n"
                + "UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;\n"
                + "END;\n";
    }

    /** Runs {@link #script} with prepared statements; the tps it reports. */
    double tps(BenchServer server, String db, int scale, int clients, int seconds) {
        Path file;
        try {
            file = Files.createTempFile("ibex-bench-tpcb-", ".sql");
            Files.writeString(file, script(scale));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        file.toFile().setReadable(true, false); // pgbench may run as another user
        try {
            return tps(server, db, file, clients, seconds);
        } finally {
            file.toFile().delete();
        }
    }

    private double tps(BenchServer server, String db, Path script, int clients, int seconds) {
        String out = PgDump.run(List.of(path.toString(), "-n", "-f", script.toString(), "-M", "prepared", "-c", String.valueOf(clients),
                "-j", String.valueOf(Math.min(clients, 2)), "-T", String.valueOf(seconds), "-h", server.host(),
                "-p", String.valueOf(server.port()), "-U", server.user(), db));
        Matcher m = TPS.matcher(out);
        if (!out.startsWith("EXIT 0") || !m.find()) {
            throw new IllegalStateException("pgbench failed: " + out.trim().lines().reduce((a, b) -> b).orElse(out));
        }
        return Double.parseDouble(m.group(1));
    }

    String describe() {
        return String.format(Locale.ROOT, "pgbench %s (the tpcb-like script without the INSERT into pgbench_history, -M prepared)", version);
    }
}
