package io.ibex.engine;

import io.ibex.settings.LogLevel;

/**
 * Sets the level of ibex's log, for the daemon to apply {@code log_level} at each reload. The engine logs through
 * SLF4J alone; whoever configures the logging backend (the command line) says how a level is set.
 */
@FunctionalInterface
public interface LogLevelControl {

    /** Leaves the level as it is (a daemon inside a test or a benchmark). */
    LogLevelControl UNCHANGED = level -> { };

    void set(LogLevel level);
}
