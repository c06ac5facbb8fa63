package io.ibex.db;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * Why a connection could not be made, said as psql says it: pgjdbc's own message is often only "The connection
 * attempt failed.", with the reason in the exception chain.
 */
final class ConnectFailure {
    private ConnectFailure() {
    }

    /** psql's wording of the network cause in e's chain, or null when the chain holds none (e.g. a wrong password). */
    static String describe(Throwable e, String host, int port) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "could not translate host name \"" + host + "\" to address: Name or service not known";
            }
            String at = "connection to server at \"" + host + "\", port " + port + " failed: ";
            if (t instanceof ConnectException) {
                return at + (t.getMessage() != null && t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("refused")
                        ? "Connection refused" : firstLine(t));
            }
            if (t instanceof NoRouteToHostException) {
                return at + "No route to host";
            }
            if (t instanceof SocketTimeoutException) {
                return at + "timeout expired";
            }
        }
        return null;
    }

    private static String firstLine(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : Pg.firstLine(t);
    }
}
