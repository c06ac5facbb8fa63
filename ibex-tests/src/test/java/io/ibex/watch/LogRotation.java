package io.ibex.watch;

import io.ibex.cli.Main;
import io.ibex.testkit.PrivateClasspath;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/logrotate.example run by the real logrotate (forced) on a test daemon's log: its paths, user and the ibex
 * command of its postrotate made this test's. Where logrotate is not installed, the same two steps by hand.
 */
final class LogRotation {
    private LogRotation() {
    }

    static void rotate(Path log, int repoPort, String repoDb, Path home) throws Exception {
        String classpath = PrivateClasspath.run(() -> System.getProperty("java.class.path")); // builds may rewrite target/classes
        String ibex = "env HOME=" + home + " " + Path.of(System.getProperty("java.home"), "bin", "java") + " -cp "
                + classpath + " " + Main.class.getName() + " --dbhost localhost --dbport " + repoPort
                + " --dbname " + repoDb + " --dbuser postgres --no-ibexrc";
        if (!Files.isExecutable(Path.of("/usr/sbin/logrotate"))) {
            Files.move(log, log.resolveSibling("log.ibex.1"));
            assertThat(new ProcessBuilder("sh", "-c", ibex + " reopen").inheritIO().start().waitFor()).isZero();
            return;
        }
        String example = Files.readString(Path.of("..", "docs", "logrotate.example"));
        String user = System.getProperty("user.name");
        Path conf = home.resolve("logrotate.conf");
        Files.writeString(conf, example.replace("/var/log/ibex/log.ibex", log.toString())
                .replace("su ibex ibex", "su " + user + " " + user)
                .replace("/opt/ibex/bin/ibex reopen --quiet >/dev/null 2>&1 || true", ibex + " reopen --quiet"));
        Process p = new ProcessBuilder("/usr/sbin/logrotate", "-f", "-s", home.resolve("logrotate.state").toString(), conf.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("logrotate: %s", out).isZero();
        assertThat(log.resolveSibling("log.ibex.1")).as("rotated, not yet compressed (delaycompress)").exists();
    }
}
