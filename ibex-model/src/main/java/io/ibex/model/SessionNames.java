package io.ibex.model;

/**
 * The application_name of the sessions through which ibex writes to a database, {@code ibex:<sync>}: the capture on
 * that database leaves what they write alone (or records it with that origin, with makedelta).
 */
public final class SessionNames {

    /** The prefix of every writing session's application_name. */
    public static final String APPLICATION_PREFIX = "ibex:";

    private SessionNames() {
    }

    /** The application_name of the sessions that apply a sync's changes. */
    public static String ofSync(String sync) {
        return APPLICATION_PREFIX + sync;
    }

    public static boolean isWriting(String applicationName) {
        return applicationName.startsWith(APPLICATION_PREFIX);
    }
}
