package io.ibex;

/**
 * A failure that is reported to the user as one line: bad input, a missing object, an unreachable database.
 * The command line prints only the message (and the stack trace with --debug).
 */
public class IbexException extends RuntimeException {
    public IbexException(String message) {
        super(message);
    }

    public IbexException(String message, Throwable cause) {
        super(message, cause);
    }
}
