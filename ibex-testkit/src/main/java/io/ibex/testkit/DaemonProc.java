package io.ibex.testkit;

import io.ibex.cli.Main;
import io.ibex.engine.DaemonProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The daemon as its own process ({@code ibex daemon}), so that it can be killed with SIGKILL. */
public final class DaemonProc {
    public final Path dir;
    public final DaemonProcess process;
    private final Db repository;
    private final String name;
    /** The port the daemon reaches the repository on (a {@link TcpProxy}'s), or 0 for the server's own. */
    private final int repositoryPort;
    private long pid = -1;

    public DaemonProc(Db repository, Path dir) {
        this(repository, dir, null);
    }

    /** name: the daemon's name in the repository (daemon=NAME); null for the host's name. */
    public DaemonProc(Db repository, Path dir, String name) {
        this(repository, dir, name, 0);
    }

    /** repositoryPort: where the daemon connects to the repository (a {@link TcpProxy}'s port); its databases stay direct. */
    public DaemonProc(Db repository, Path dir, String name, int repositoryPort) {
        this.repositoryPort = repositoryPort;
        this.repository = repository;
        this.dir = dir;
        this.name = name;
        this.process = new DaemonProcess(dir, dir, Main.daemonCommand());
    }

    public List<String> args() {
        List<String> args = new java.util.ArrayList<>(List.of("--dbhost", "localhost", "--dbport", String.valueOf(repositoryPort > 0 ? repositoryPort : repository.server().port()),
                "--dbname", repository.name(), "--dbuser", "postgres", "--piddir", dir.toString(), "--logdir", dir.toString(), "--no-ibexrc"));
        if (name != null) {
            args.add("daemon=" + name);
        }
        return args;
    }

    public long start() {
        return start(Map.of());
    }

    /** Starts it with these environment variables added (IBEX_LOG_FORMAT, say). */
    public long start(Map<String, String> env) {
        pid = PrivateClasspath.run(() -> process.start(args(), env, Duration.ofSeconds(120))); // a JVM start on a machine that is busy can take long
        return pid;
    }

    public boolean alive() {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    public long pid() {
        return pid;
    }

    public String name() {
        return name;
    }

    /** SIGSTOP: the process stops where it is (as in a long GC pause or a suspended VM), its sockets stay open. */
    public void freeze() {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        if (pid <= 0) {
            throw new IllegalStateException("the daemon is not running");
        }
        try {
            int code = new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).inheritIO().start().waitFor();
            if (code != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid + " exited with " + code);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL, and wait until the process is gone. */
    public void kill() throws InterruptedException {
        if (pid <= 0) {
            return;
        }
        ProcessHandle h = ProcessHandle.of(pid).orElse(null);
        if (h != null) {
            h.destroyForcibly();
            h.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        }
        pid = -1;
    }

    /** SIGTERM and wait (the daemon finishes or rolls back its batch). */
    public void stop() {
        if (alive()) {
            process.stop(Duration.ofSeconds(60));
        }
        pid = -1;
    }

    public String log() {
        try {
            return Files.readString(process.logFile());
        } catch (Exception e) {
            return "";
        }
    }
}
