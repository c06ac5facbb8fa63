package io.ibex.bench;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The pg_dump and pg_restore to compare the initial copy with: the one given (--pg-dump, or the one of --pg-bin), or the
 * newest found on the PATH and under /usr/lib/postgresql. It is usable if it dumps the source (pg_dump refuses servers newer than itself).
 */
record PgDump(String pgDump, String pgRestore, String version, boolean usable, String why) {

    static PgDump find(String given, BenchServer source, String db) {
        List<Path> candidates = given != null ? List.of(Path.of(given)) : installed("pg_dump");
        List<PgDump> found = new ArrayList<>();
        for (Path p : candidates) {
            if (Files.isExecutable(p)) {
                String v = run(List.of(p.toString(), "--version"));
                Path restore = p.resolveSibling("pg_restore");
                found.add(new PgDump(p.toString(), restore.toString(), v.replaceAll("^\\D*", "").trim(), false, null));
            }
        }
        if (found.isEmpty()) {
            return new PgDump(null, null, null, false, "No pg_dump was found (the embedded PostgreSQL binaries have none).");
        }
        found.sort(Comparator.comparingDouble(d -> -major(d.version())));
        PgDump best = found.get(0);
        // try it: a schema-only dump of one small table
        List<String> cmd = new ArrayList<>(List.of(best.pgDump(), "-s", "-h", source.host(), "-p", String.valueOf(source.port()),
                "-U", source.user(), "-t", "pgbench_branches", db));
        String output = run(cmd);
        if (output.startsWith("EXIT 0")) {
            return new PgDump(best.pgDump(), best.pgRestore(), best.version(), true, null);
        }
        String firstError = output.lines().filter(l -> l.contains("error") || l.contains("version")).findFirst().orElse(output.trim());
        return new PgDump(best.pgDump(), best.pgRestore(), best.version(), false,
                "pg_dump " + best.version() + " (" + best.pgDump() + (given != null ? ", as given" : ", the newest found")
                        + ") cannot dump the PostgreSQL source: \"" + firstError.replace("EXIT 1", "").trim() + "\""
                        + (given != null ? "." : "; no newer pg_dump is installed, and the embedded binaries have none."));
    }

    /**
     * Readies the restore database for the dump of {@code tables}: pg_dump -t includes the tables' triggers, and the
     * functions of ibex's capture triggers (schema ibex_capture) are not in the dump, so pg_restore would fail on them.
     * Stubs of those functions in the restore database let the triggers restore as a real dump's would (a few
     * catalog rows: no measurable time). Untimed.
     */
    static void stubTriggerFunctions(BenchServer source, String db, BenchServer target, String restoreDb, List<String> tables)
            throws java.sql.SQLException {
        List<String[]> functions = new ArrayList<>();
        try (java.sql.Connection c = source.connect(db); var ps = c.prepareStatement("SELECT DISTINCT n.nspname, p.proname"
                + " FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE NOT t.tgisinternal AND t.tgrelid = ANY (?::regclass[]) AND p.pronargs = 0")) {
            ps.setArray(1, c.createArrayOf("text", tables.toArray()));
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    functions.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        try (java.sql.Connection c = target.connect(restoreDb); var st = c.createStatement()) {
            for (String[] f : functions) {
                String schema = io.ibex.db.Sql.ident(f[0]);
                if (!f[0].equals("public")) {
                    st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                }
                st.execute("CREATE OR REPLACE FUNCTION " + schema + "." + io.ibex.db.Sql.ident(f[1])
                        + "() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'");
            }
        }
    }

    private static double major(String version) {
        try {
            String[] parts = version.split("[^0-9]+");
            return Double.parseDouble(parts[0]);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Where a PostgreSQL client program may be installed: on the PATH, and in Debian's /usr/lib/postgresql/VERSION/bin. */
    static List<Path> installed(String program) {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            candidates.add(Path.of(dir, program));
        }
        try (var dirs = Files.list(Path.of("/usr/lib/postgresql"))) {
            dirs.forEach(d -> candidates.add(d.resolve("bin").resolve(program)));
        } catch (Exception ignored) {
            // no Debian-style installation
        }
        return candidates;
    }

    /** Runs a command; the output starts with "EXIT code", except for --version, which gives the output alone. */
    static String run(List<String> cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            String pw = System.getenv("PGPASSWORD");
            if (pw != null) {
                pb.environment().put("PGPASSWORD", pw);
            }
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "EXIT -1 timeout";
            }
            return cmd.contains("--version") ? out.trim() : "EXIT " + p.exitValue() + " " + out;
        } catch (Exception e) {
            return "EXIT -1 " + e.getMessage();
        }
    }
}
