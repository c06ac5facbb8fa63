package io.ibex.spi;

import io.ibex.IbexException;

/** A failure on a target, with the SQLSTATE when the server gave one (40001 and 40P01 are retried at once). */
public class ApplyException extends IbexException {
    private final String sqlState;

    public ApplyException(String message, String sqlState, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    public String sqlState() {
        return sqlState;
    }

    public boolean isTransient() {
        return "40001".equals(sqlState) || "40P01".equals(sqlState);
    }
}
