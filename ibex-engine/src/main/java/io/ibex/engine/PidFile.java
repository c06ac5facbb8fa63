package io.ibex.engine;

import io.ibex.IbexException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The daemon's pid file: its pid on the first line (what Bucardo's and other tools read), the repository it serves on
 * the second, so that a command for another repository never takes it for its own daemon.
 */
public record PidFile(Path path) {

    public void write(long pid, String repository) {
        try {
            Files.createDirectories(path.getParent());
            Files.writeString(path, pid + "\n" + repository + "\n");
        } catch (IOException e) {
            throw new IbexException("cannot write the pid file " + path + ": " + e.getMessage());
        }
    }

    /** Deletes the file if it still names this pid (a daemon started since may have written its own). */
    public void deleteIfOwn(long pid) {
        if (pid().filter(p -> p == pid).isPresent()) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // nothing to clean
            }
        }
    }

    public boolean exists() {
        return Files.exists(path);
    }

    public Optional<Long> pid() {
        return line(0).flatMap(l -> {
            try {
                return Optional.of(Long.parseLong(l.trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** The repository the daemon serves; empty in a pid file of an older release (the pid alone). */
    public Optional<String> repository() {
        return line(1).map(String::trim).filter(s -> !s.isEmpty());
    }

    private Optional<String> line(int n) {
        try {
            if (!Files.exists(path)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(path);
            return lines.size() > n ? Optional.of(lines.get(n)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
