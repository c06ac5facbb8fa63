package io.ibex.engine;

import io.ibex.IbexException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** The daemon's log files (log.ibex, ibex.out) name databases, tables and keys: only their owner and group read them. */
public final class LogFiles {
    private LogFiles() {
    }

    /**
     * Creates the file readable by its owner and group only (0640), or takes that right from others on an
     * existing one.
     */
    public static void restrict(Path file) {
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-r-----");
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(mode));
            }
            // createFile's mode is masked by the umask; set it exactly
            Files.setPosixFilePermissions(file, mode);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own access rules apply
        } catch (IOException e) {
            throw new IbexException("cannot create the log file " + file + ": " + e.getMessage());
        }
    }
}
