package io.ibex.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a process of this host is alive: a zombie (dead, not yet reaped) is not, though ProcessHandle says so. */
public final class Processes {

    private Processes() {
    }

    public static boolean alive(long pid) {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !dead(pid);
    }

    /** Linux: state Z (zombie) or X (dead) in /proc/PID/stat; elsewhere nothing to read, and the handle decides. */
    private static boolean dead(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            int close = stat.lastIndexOf(')'); // the command name in parentheses may itself hold spaces and parentheses
            if (close < 0 || close + 2 >= stat.length()) {
                return false;
            }
            char state = stat.charAt(close + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
