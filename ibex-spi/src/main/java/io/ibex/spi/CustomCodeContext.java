package io.ibex.spi;

import java.sql.Connection;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link CustomCode} is given at its moment.
 * <p>
 * {@link #databases()}: the run's databases by name, each the JDBC session ibex applies with (its
 * application_name is the sync's, so the capture triggers do not record what a code writes through it). In
 * {@code before_trigger_drop} and {@code after_trigger_drop} the session is inside ibex's apply transaction of
 * {@link #database()}, and what a code writes commits or rolls back with the batch; at the other moments ibex
 * commits each session after the chain has run (a code may commit itself). With one source, the source's entry is
 * ibex's reading session (read, do not write).
 */
public interface CustomCodeContext {

    String sync();

    CustomCode.When when();

    /** The database this moment concerns (the one applied to, or that failed); null for the run as a whole. */
    String database();

    Map<String, Connection> databases();

    /** The batch's changed tables (schema.table) and their numbers of changed keys, as far as known at this moment. */
    Map<String, Long> tables();

    /** The failure an {@code exception} code is called for. */
    Optional<Failure> failure();

    /** The conflict a {@code conflict} code is called for. */
    Optional<ConflictResolver.Conflict> conflict();

    /** The winner of the conflict as chosen so far (null: nobody, as skip); {@code conflict} codes only. */
    String winner();

    /** Changes the conflict's winner (a database that changed the key, or null for nobody); {@code conflict} codes only. */
    void winner(String database);

    /** How many times this run has been retried after an {@code exception} code asked for it. */
    int retries();

    /**
     * A failed apply: the database and table, the SQLSTATE (23505 for a unique violation), the message and the
     * server's detail (for 23505, which key already exists), and the constraint.
     */
    record Failure(String database, String table, String sqlState, String message, String detail, String constraint) {
    }
}
