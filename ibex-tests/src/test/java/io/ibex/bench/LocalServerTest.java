package io.ibex.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** --pg-bin: two servers from a local installation (skipped where there is none), and its pg_dump as the copy baseline. */
class LocalServerTest {

    /** The newest /usr/lib/postgresql/N/bin with initdb, or null. */
    static Path installation() throws Exception {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.map(d -> d.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingDouble(b -> Double.parseDouble(b.getParent().getFileName().toString()))).orElse(null);
        }
    }

    @Test
    void startsWithTheBenchmarkSettingsDumpsAndRestoresAndLeavesNothingBehind() throws Exception {
        Path bin = installation();
        assumeTrue(bin != null, "no PostgreSQL installation under /usr/lib/postgresql");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("shared_buffers", "256MB");
        settings.put("maintenance_work_mem", "256MB");
        settings.put("fsync", "on");
        Path data;
        try (BenchServer source = BenchServer.local("source", bin, settings); BenchServer target = BenchServer.local("target", bin, settings)) {
            assertThat(source.port()).isNotEqualTo(target.port());
            data = Path.of(source.describe().replaceAll(".*data (.*)\\)$", "$1"));
            assertThat(data).isDirectory();
            String major = bin.getParent().getFileName().toString();
            assertThat(source.query("postgres", "SHOW server_version")).startsWith(major + ".");
            assertThat(source.query("postgres", "SHOW shared_buffers")).isEqualTo("256MB");
            assertThat(source.query("postgres", "SHOW maintenance_work_mem")).isEqualTo("256MB");
            assertThat(source.query("postgres", "SHOW fsync")).isEqualTo("on");
            assertThat(source.query("postgres", "SHOW listen_addresses")).isEqualTo("localhost");
            assertThat(source.query("postgres", "SHOW TimeZone")).isIn("UTC", "Etc/UTC");
            assertThat(source.query("postgres", "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user")).isEqualTo("true");
            source.recreateDatabase("d");
            try (Connection c = source.connect("d"); var s = c.createStatement()) {
                s.execute("CREATE TABLE pgbench_branches (bid int PRIMARY KEY, filler text)");
                s.execute("INSERT INTO pgbench_branches SELECT g, 'x' FROM generate_series(1, 1000) g");
                // like ibex's capture: a statement trigger over a transition table, its function in schema ibex_capture
                s.execute("CREATE SCHEMA ibex_capture");
                s.execute("CREATE FUNCTION ibex_capture.cap() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'");
                s.execute("CREATE TRIGGER ibex_capture_ins AFTER INSERT ON pgbench_branches REFERENCING NEW TABLE AS new_rows"
                        + " FOR EACH STATEMENT EXECUTE FUNCTION ibex_capture.cap()");
                s.execute("ALTER TABLE pgbench_branches ENABLE ALWAYS TRIGGER ibex_capture_ins");
            }
            PgDump dump = PgDump.find(bin.resolve("pg_dump").toString(), source, "d");
            assertThat(dump.usable()).as(dump.why()).isTrue();
            target.recreateDatabase("r");
            PgDump.stubTriggerFunctions(source, "d", target, "r", java.util.List.of("public.pgbench_branches"));
            Process p = new ProcessBuilder("bash", "-c", String.format("set -o pipefail; '%s' -Fc -h localhost -p %d -U postgres -t public.pgbench_branches d"
                    + " | '%s' --no-owner -h localhost -p %d -U postgres -d r", dump.pgDump(), source.port(), dump.pgRestore(), target.port()))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(target.query("r", "SELECT count(*) FROM pgbench_branches")).isEqualTo("1000");
            assertThat(target.query("r", "SELECT count(*) FROM pg_indexes WHERE tablename = 'pgbench_branches'")).isEqualTo("1");
            assertThat(target.query("r", "SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'ibex_capture_ins'")).isEqualTo("A");
        }
        assertThat(data.getParent()).doesNotExist();
    }
}
