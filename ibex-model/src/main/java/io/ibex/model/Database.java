package io.ibex.model;

import io.ibex.db.ConnectionSpec;

import java.util.Map;
import java.util.TreeMap;

/**
 * A database ibex replicates from or to ({@code ibex add db}). The password is null when .pgpass supplies it. The
 * options are those of its type's adapter (Redis: key_prefix, schema_prefix), by name; never null.
 */
public record Database(String name, String type, String host, int port, String dbname, String user,
                       String password, String status, boolean makedelta, String replicaFunction, String replicaMode,
                       Map<String, String> options) {

    public Database {
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    public Database(String name, String type, String host, int port, String dbname, String user, String password, String status,
                    boolean makedelta, String replicaFunction, String replicaMode) {
        this(name, type, host, port, dbname, user, password, status, makedelta, replicaFunction, replicaMode, Map.of());
    }

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

    /** An adapter option, or the default when it is not set. */
    public String option(String key, String otherwise) {
        return options.getOrDefault(key, otherwise);
    }

    /** Never the password. */
    @Override
    public String toString() {
        return "Database[" + name + ", " + type + ", " + host + ":" + port + "/" + dbname + " as " + user
                + (password != null ? ", password stored" : "") + ", " + status
                + (options.isEmpty() ? "" : ", " + new TreeMap<>(options)) + "]";
    }
}
