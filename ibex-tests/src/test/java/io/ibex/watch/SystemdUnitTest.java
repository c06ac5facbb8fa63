package io.ibex.watch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/ibex.service passes systemd-analyze verify (its ibex path made this checkout's bin/ibex). */
class SystemdUnitTest {
    @TempDir
    Path dir;

    @Test
    void theUnitVerifies() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assertThat(Files.isExecutable(analyze)).as("systemd-analyze (Debian's systemd package)").isTrue();
        String unit = Files.readString(Path.of("..", "docs", "ibex.service"));
        assertThat(unit).contains("ExecStart=/opt/ibex/bin/ibex daemon ").contains("ExecReload=/opt/ibex/bin/ibex reload");
        Path file = dir.resolve("ibex.service");
        Files.writeString(file, unit.replace("/opt/ibex/bin/ibex", Path.of("..", "bin", "ibex").toAbsolutePath().normalize().toString()));
        Process p = new ProcessBuilder(analyze.toString(), "verify", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("no warning either").isBlank();
    }
}
