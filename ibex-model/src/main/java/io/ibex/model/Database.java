package io.ibex.model;

import io.ibex.db.ConnectionSpec;

/** A database ibex replicates from or to ({@code ibex add db}). The password is null when .pgpass supplies it. */
public record Database(String name, String type, String host, int port, String dbname, String user,
                       String password, String status, boolean makedelta, String replicaFunction, String replicaMode) {

    public Database(String name, String type, String host, int port, String dbname, String user, String password, String status,
                    boolean makedelta, String replicaFunction) {
        this(name, type, host, port, dbname, user, password, status, makedelta, replicaFunction, "auto");
    }

    public ConnectionSpec connection() {
        return new ConnectionSpec(host, port, dbname, user, password);
    }

    public boolean active() {
        return "active".equals(status);
    }

    /** Never the password. */
    @Override
    public String toString() {
        return "Database[" + name + ", " + type + ", " + host + ":" + port + "/" + dbname + " as " + user
                + (password != null ? ", password stored" : "") + ", " + status + "]";
    }
}
