package io.ibex.spi;

import io.ibex.IbexException;

/** A failure on a target, with the SQLSTATE when the server gave one (40001 and 40P01 are retried at once). */
public class ApplyException extends IbexException {
    private final String sqlState;

    public ApplyException(String message, String sqlState, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    /** A fenced target's refusal: a newer owner of the sync raised its fence there ({@link Target#STANDING_DOWN}). */
    public static ApplyException standingDown(String database, String sync, Object found, long mine) {
        return new ApplyException("database \"" + database + "\": " + Target.STANDING_DOWN + " \"" + sync + "\" (its fence there holds lease epoch "
                + found + ", this daemon's is " + mine + "): standing down", null, null);
    }

    public String sqlState() {
        return sqlState;
    }

    public boolean isTransient() {
        return "40001".equals(sqlState) || "40P01".equals(sqlState);
    }
}
