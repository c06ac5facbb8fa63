package io.ibex.watch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Debian's headless Chromium (package chromium; .ci/run installs it): the DOM of a page after its scripts ran, and screenshots. */
final class Chromium {
    private Chromium() {
    }

    static Optional<String> binary() {
        for (String b : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(b))) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** The page's DOM once its scripts have had a few seconds (virtual time) to fetch and draw. */
    static String dumpDom(String url) throws IOException, InterruptedException {
        return run(List.of("--virtual-time-budget=4000", "--dump-dom", url));
    }

    static void screenshot(String url, Path png, int width, int height) throws IOException, InterruptedException {
        Files.createDirectories(png.getParent());
        run(List.of("--virtual-time-budget=4000", "--hide-scrollbars", "--window-size=" + width + "," + height,
                "--screenshot=" + png.toAbsolutePath(), url));
        if (!Files.isRegularFile(png) || Files.size(png) < 1000) {
            throw new IOException("chromium wrote no screenshot " + png);
        }
    }

    private static String run(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary().orElseThrow(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + Files.createTempDirectory("ibex-chromium")));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("chromium did not finish");
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
