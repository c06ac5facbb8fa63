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
    private long pid = -1;

    public DaemonProc(Db repository, Path dir) {
        this.repository = repository;
        this.dir = dir;
        this.process = new DaemonProcess(dir, dir, Main.daemonCommand());
    }

    public List<String> args() {
        return List.of("--dbhost", "localhost", "--dbport", String.valueOf(repository.server().port()), "--dbname",
                repository.name(), "--dbuser", "postgres", "--piddir", dir.toString(), "--logdir", dir.toString(), "--no-ibexrc");
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
