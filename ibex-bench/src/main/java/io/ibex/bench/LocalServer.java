package io.ibex.bench;

import io.ibex.embedded.PostgresServer;
import io.ibex.embedded.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server run from a local installation's binaries ({@code --pg-bin DIR}, e.g.
 * {@code /usr/lib/postgresql/15/bin}) instead of the embedded ones: initdb into a new directory under the temporary
 * directory, the embedded servers' settings (trust authentication, superuser postgres, listening on localhost on a
 * free port), {@code pg_ctl start}; {@link #close()} (and a shutdown hook) stops it and deletes the directory.
 *
 * <p>initdb and postgres refuse to run as root. As root, the commands run as zonky's embedded servers run them, in a
 * new user namespace ({@code unshare -U}: the process is "nobody" there and owns nothing it could abuse); where that
 * is not available, as the {@code postgres} operating-system user ({@code runuser -u postgres --}), which then owns
 * the directory.
 */
final class LocalServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalServer.class);

    private final Path bin;
    private final Path base;
    private final Path data;
    private final List<String> runAs;
    private final String version;
    private final int port;
    private final Thread shutdownHook = new Thread(this::stopAndDelete, "ibex-bench-local-postgres");
    private boolean running;
    private boolean closed;

    private LocalServer(Path bin, Path base, List<String> runAs, String version, int port) {
        this.bin = bin;
        this.base = base;
        this.data = base.resolve("data");
        this.runAs = runAs;
        this.version = version;
        this.port = port;
    }

    /** initdb and start a new server from the binaries in {@code bin} with these settings (added to the embedded defaults). */
    static LocalServer start(Path bin, Map<String, String> extraSettings) {
        for (String tool : List.of("initdb", "pg_ctl", "postgres")) {
            if (!Files.isExecutable(bin.resolve(tool))) {
                throw new IllegalArgumentException("--pg-bin " + bin + " has no executable " + tool);
            }
        }
        String versionLine = run(List.of(bin.resolve("postgres").toString(), "--version"), 30).trim();
        String version = versionLine.replaceAll("^\\D*", "").replaceAll("\\s.*$", "");
        Path base;
        int port;
        try {
            base = Files.createTempDirectory("ibex-bench-pg" + version + "-");
            port = freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalServer s = new LocalServer(bin, base, runAsUnprivileged(base), version, port);
        Runtime.getRuntime().addShutdownHook(s.shutdownHook);
        try {
            s.initdb(settings(version, port, base, extraSettings));
            s.pgCtl(List.of("-D", s.data.toString(), "-l", base.resolve("server.log").toString(), "-w", "-t", "120", "start"), 150);
            s.running = true;
            LOG.info("PostgreSQL {} from {} running on port {} (data {})", version, bin, port, s.data);
            return s;
        } catch (RuntimeException e) {
            String log = s.serverLog();
            s.close();
            throw new IllegalStateException(e.getMessage() + (log.isBlank() ? "" : "\nserver log:\n" + log), e);
        }
    }

    /** The embedded servers' defaults and the given settings, for this version, plus the port and socket directory. */
    private static Map<String, String> settings(String version, int port, Path base, Map<String, String> extra) {
        Map<String, String> s = new LinkedHashMap<>(PostgresServer.defaultSettings());
        s.putAll(extra);
        s.put("port", String.valueOf(port));
        // not the installation's default (/var/run/postgresql), which only its own user may write
        s.put("unix_socket_directories", base.toString());
        String major = version.startsWith("9.") || version.startsWith("8.") ? version.replaceAll("^(\\d+\\.\\d+).*", "$1")
                : version.replaceAll("^(\\d+).*", "$1");
        return ServerSettings.forVersion(ServerSettings.versionNum(major), s);
    }

    /** How to run initdb, pg_ctl and postgres: as they are, or (as root) in a user namespace or as the postgres user. */
    private static List<String> runAsUnprivileged(Path base) {
        if (!isRoot()) {
            return List.of();
        }
        if (run(List.of("unshare", "-U", "id", "-u"), 30).trim().equals("65534")) {
            return List.of("unshare", "-U");
        }
        String chown = run(List.of("chown", "postgres:", base.toString()), 30);
        if (!chown.isBlank() || !run(List.of("runuser", "-u", "postgres", "--", "id", "-u"), 30).trim().matches("[1-9]\\d*")) {
            throw new IllegalStateException("running as root, and neither 'unshare -U' nor 'runuser -u postgres' works: "
                    + "initdb and postgres refuse to run as root");
        }
        return List.of("runuser", "-u", "postgres", "--");
    }

    private static boolean isRoot() {
        return run(List.of("id", "-u"), 30).trim().equals("0");
    }

    private void initdb(Map<String, String> settings) {
        List<String> cmd = new ArrayList<>(runAs);
        cmd.addAll(List.of(bin.resolve("initdb").toString(), "-A", "trust", "-U", "postgres", "-E", "UTF-8", "-D", data.toString()));
        String out = runChecked(cmd, 300);
        if (!Files.isRegularFile(data.resolve("PG_VERSION"))) {
            throw new IllegalStateException("initdb failed: " + out.trim());
        }
        StringBuilder conf = new StringBuilder("\n# ibex-bench\n");
        settings.forEach((k, v) -> conf.append(k).append(" = '").append(v.replace("'", "''")).append("'\n"));
        try {
            Files.writeString(data.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void pgCtl(List<String> args, int timeoutSeconds) {
        List<String> cmd = new ArrayList<>(runAs);
        cmd.add(bin.resolve("pg_ctl").toString());
        cmd.addAll(args);
        runChecked(cmd, timeoutSeconds);
    }

    String version() {
        return version;
    }

    int port() {
        return port;
    }

    Path dataDirectory() {
        return data;
    }

    /** Fast shutdown, then the directory goes. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
        stopAndDelete();
    }

    private synchronized void stopAndDelete() {
        try {
            if (running) {
                pgCtl(List.of("-D", data.toString(), "stop", "-m", "fast", "-w", "-t", "60"), 90);
                running = false;
            }
        } catch (RuntimeException e) {
            LOG.warn("could not stop PostgreSQL on port {}: {}", port, e.getMessage());
        } finally {
            if (!running) {
                PostgresServer.deleteRecursively(base);
            }
        }
    }

    private String serverLog() {
        try {
            Path log = base.resolve("server.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static String runChecked(List<String> cmd, int timeoutSeconds) {
        String out = run(cmd, timeoutSeconds);
        if (out.startsWith("EXIT ")) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.trim());
        }
        return out;
    }

    /** Runs a command and returns its output; "EXIT code output" if it failed. Output goes through a file, never a pipe
     * a server started by the command could keep open. */
    private static String run(List<String> cmd, int timeoutSeconds) {
        Path out = null;
        try {
            out = Files.createTempFile("ibex-bench-cmd", ".out");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "EXIT -1 timeout after " + timeoutSeconds + " s: " + Files.readString(out);
            }
            String text = Files.readString(out);
            return p.exitValue() == 0 ? text : "EXIT " + p.exitValue() + " " + text;
        } catch (IOException e) {
            return "EXIT -1 " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "EXIT -1 interrupted";
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    @Override
    public String toString() {
        return "PostgreSQL " + version + " from " + bin + " on localhost:" + port;
    }
}
