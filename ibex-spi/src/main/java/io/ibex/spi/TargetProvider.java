package io.ibex.spi;

import io.ibex.model.Database;

import java.util.Map;
import java.util.Set;

/**
 * One kind of target database, found at run time by {@link TargetRegistry} through {@link java.util.ServiceLoader}
 * (listed in META-INF/services/io.ibex.spi.TargetProvider) and chosen by a database's {@code type}.
 */
public interface TargetProvider {

    /** The type stored for a database of this kind ({@code ibex add db ... type=}), in lower case: "postgres". */
    String type();

    /** Other names {@code type=} accepts for it, in lower case: "pg", "postgresql". */
    default Set<String> aliases() {
        return Set.of();
    }

    Set<TargetCapability> capabilities();

    default boolean can(TargetCapability capability) {
        return capabilities().contains(capability);
    }

    /**
     * Defaults of {@code ibex add db} options for this kind, applied where the user gave none: {@code dbport},
     * {@code dbhost}, {@code dbuser}, {@code dbname} ("3306", "127.0.0.1", "root", "0"). Empty by default (PostgreSQL's
     * come from libpq's environment).
     */
    default Map<String, String> optionDefaults() {
        return Map.of();
    }

    /** The {@code ibex add db} options this kind requires; {@code dbname} by default. */
    default Set<String> requiredOptions() {
        return Set.of("dbname");
    }

    /**
     * Connects to the database as {@code ibex add db} and {@code update db} do before storing it, and disconnects;
     * fails with one line naming the database and saying why. By default it opens and closes a target.
     */
    default void checkConnection(Database db) {
        open(db, "ibex-cli").close();
    }

    /** The names of the options {@code ibex add db} of this type takes besides the common ones, kept in {@link Database#options()}. */
    default Set<String> options() {
        return Set.of();
    }

    /** Checks the values of a database's settings and options before it is stored; a one-line error for a bad one. */
    default void checkOptions(Database db) {
    }

    /**
     * How many sessions may write into one database of this kind at once: a parallel copy or a sliced backlog uses no
     * more workers than this (SQLite: one, since its file has one write lock, and a second writer fails SQLITE_BUSY).
     */
    default int writersAtOnce() {
        return Integer.MAX_VALUE;
    }

    /** The URL that connects to the database (never with its password in it). */
    String url(Database db);

    /**
     * Connects to the database and returns it ready for batches; fails with one line naming the database. The
     * application name marks ibex's own sessions (see docs/design.md).
     */
    Target open(Database db, String applicationName);

    /**
     * Connects and finds out how the database's triggers and foreign-key checks would be held off, as status shows
     * it; fails with one line. Only for a provider that can {@link TargetCapability#REPLICA_MODE}.
     */
    default String detectReplicaMode(Database db) {
        throw new UnsupportedOperationException("databases of type " + type() + " have no replica mode");
    }

    /**
     * The SQL an administrator runs so that a role without the right to hold off triggers may do it through a
     * security-definer function ({@code ibex sql replica_function ROLE}). Only for {@link TargetCapability#REPLICA_MODE}.
     */
    default String replicaFunctionSql(String role) {
        throw new UnsupportedOperationException("databases of type " + type() + " have no replica mode");
    }
}
