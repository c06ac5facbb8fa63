package io.ibex.engine;

import io.ibex.IbexException;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the daemon as a background process and finds, signals and waits for a running one through its pid
 * file. The child gets the repository password through its environment, never its arguments.
 */
public final class DaemonProcess {

    public static final String PID_FILE = "ibex.pid";
    public static final String LOG_FILE = "log.ibex";

    private final Path piddir;
    private final Path logdir;
    private final List<String> launcher;

    /**
     * launcher: the command that runs the daemon in the foreground, to which {@link #start} adds the daemon's
     * arguments (the command line knows how it is itself run).
     */
    public DaemonProcess(Path piddir, Path logdir, List<String> launcher) {
        this.piddir = piddir;
        this.logdir = logdir;
        this.launcher = List.copyOf(launcher);
    }

    public Path pidFile() {
        return piddir.resolve(PID_FILE);
    }

    public Path logFile() {
        return logdir.resolve(LOG_FILE);
    }

    /** The pid of a live daemon (not a zombie), if the pid file names one. */
    public Optional<ProcessHandle> running() {
        return readPid().filter(Processes::alive).flatMap(ProcessHandle::of);
    }

    /**
     * The live daemon of the pid file, if it serves this repository (a pid file of an older release, without the
     * repository, is taken to).
     */
    public Optional<ProcessHandle> runningFor(String repository) {
        PidFile f = new PidFile(pidFile());
        return f.repository().filter(r -> !r.equals(repository)).isPresent() ? Optional.empty() : running();
    }

    public Optional<Long> readPid() {
        return new PidFile(pidFile()).pid();
    }

    /** Removes a pid file whose process is gone; true if there was one. */
    public boolean removeStalePidFile() {
        if (Files.exists(pidFile()) && running().isEmpty()) {
            try {
                Files.delete(pidFile());
                return true;
            } catch (IOException e) {
                throw new IbexException("cannot remove the stale pid file " + pidFile() + ": " + e.getMessage());
            }
        }
        return false;
    }

    /**
     * Launches the launcher with these arguments detached, and waits until it has written its pid file (it does so
     * once it holds the repository lock) or has died.
     */
    public long start(List<String> daemonArgs, Map<String, String> env, Duration timeout) {
        try {
            Files.createDirectories(piddir);
            Files.createDirectories(logdir);
        } catch (IOException e) {
            throw new IbexException("cannot create " + piddir + " or " + logdir + ": " + e.getMessage());
        }
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(daemonArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Path out = logdir.resolve("ibex.out");
        LogFiles.restrict(out);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IbexException("cannot start the daemon: " + e.getMessage());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (readPid().filter(pid -> pid == p.pid()).isPresent()) {
                return p.pid();
            }
            if (!p.isAlive()) {
                throw new IbexException("the daemon did not start: " + lastError(out));
            }
            sleep(100);
        }
        p.destroy();
        throw new IbexException("the daemon did not start within " + timeout.toSeconds() + " s; see " + out);
    }

    private static String lastError(Path out) {
        try {
            List<String> lines = Files.readAllLines(out);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i).trim();
                if (!l.isEmpty()) {
                    return l.replaceFirst("^ibex: ", "");
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "see " + out;
    }

    /** Asks the daemon to stop (SIGTERM: the batch in flight finishes or rolls back) and waits for it. */
    public boolean stop(Duration timeout) {
        Optional<ProcessHandle> p = running();
        if (p.isEmpty()) {
            removeStalePidFile();
            return false;
        }
        p.get().destroy();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (p.get().isAlive() && System.nanoTime() < deadline) {
            sleep(100);
        }
        if (p.get().isAlive()) {
            p.get().destroyForcibly();
            sleep(500);
        }
        removeStalePidFile();
        return true;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IbexException("interrupted");
        }
    }
}
