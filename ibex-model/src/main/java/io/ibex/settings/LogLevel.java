package io.ibex.settings;

import java.util.Locale;
import java.util.Optional;

/** The daemon's log levels that {@code ibex set log_level=...} accepts (Bucardo's names). */
public enum LogLevel {
    TERSE, NORMAL, VERBOSE, DEBUG;

    /** The name as the user writes it and the repository stores it. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The level of that name, in any case; empty for another word. */
    public static Optional<LogLevel> of(String text) {
        for (LogLevel l : values()) {
            if (l.text().equalsIgnoreCase(text)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }
}
