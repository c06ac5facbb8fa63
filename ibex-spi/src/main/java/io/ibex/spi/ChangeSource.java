package io.ibex.spi;

import io.ibex.model.TableInfo;
import io.ibex.model.Relation;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A way of capturing a source's changes (the trigger capture is the first). It holds no connection: the engine
 * opens the source's sessions and passes them in, so one instance serves every source of its kind. Everything
 * that depends on how changes are recorded (the capture's schema, its positions) is behind this interface.
 */
public interface ChangeSource {

    /** The capture's name ("trigger"), by which it is found ({@link ChangeSources}). */
    String kind();

    /** The kind of the positions this capture writes (see {@link PositionCodec}). */
    String positionKind();

    /** A position of this kind from its text ({@link Position#text()}). */
    Position position(String text);

    /** The position of the two that is further behind: the changes it has not passed, the other has not either. */
    Position earliest(Position a, Position b);

    /** Installs capture of the table, in the caller's transaction; true if it was not installed before. */
    boolean install(Connection c, TableInfo t, boolean makedelta) throws SQLException;

    /** Removes the capture of one table (its recorded changes with it). */
    void remove(Connection c, String schema, String table) throws SQLException;

    /** Removes what capture shares between tables once no table is captured. */
    void removeUnusedInfrastructure(Connection c) throws SQLException;

    /**
     * Makes a captured table ready before a batch reads it (a table that changed since capture was installed);
     * returns what was changed, to log, or null if nothing was. Runs in transactions of its own.
     */
    String prepare(Connection c, TableInfo t) throws SQLException;

    /**
     * The position of the source right now, made durable: where a new consumer starts. The connection is in
     * autocommit and stays so.
     */
    Position now(Connection c) throws SQLException;

    /** Begins a consistent read on the connection (not in autocommit once it returns). */
    ChangeReader read(Connection c) throws SQLException;

    /** Begins a read at another read's moment ({@link ChangeReader#share()}), whose position is given. */
    ChangeReader readShared(Connection c, String shareId, Position at) throws SQLException;

    /** Makes the source durable up to now, so that a position read before may be saved. */
    void makeDurable(Connection c) throws SQLException;

    /** Deletes the recorded changes of a table that a consumer at the given position (and so every consumer) has passed. */
    long release(Connection c, String schema, String table, Position passed) throws SQLException;

    /** Deletes the recorded truncates that every consumer of the source has passed. */
    void releaseTruncates(Connection c, Position passed) throws SQLException;

    /** How many recorded changes of the tables a consumer at the position has not received yet. */
    long backlog(Connection c, List<Relation> tables, Position position) throws SQLException;

    /**
     * Per table, the committed changes a consumer at the position has not received, with the age of the oldest
     * (the end-to-end lag: see docs/design.md, "Lag"). A table without capture is left out.
     */
    Map<Relation, Pending> pending(Connection c, List<Relation> tables, Position position) throws SQLException;

    /** The bytes that capture's own tables take on the source (the change tables grow while a consumer lags). */
    long captureBytes(Connection c) throws SQLException;

    /** Starts watching the source for committed changes on a connection in autocommit (what the daemon polls). */
    ActivityWatch watch(Connection c) throws SQLException;

    /** A table of the source as capture sees it (columns, key), or empty if there is no such table. */
    Optional<TableInfo> table(Connection c, String schema, String name) throws SQLException;

    /**
     * The statements that create these tables (schema, name) and these other sequences on an empty database of the
     * source's kind (create_tables, {@code ibex copy schema}); a capture that cannot read them says so.
     */
    default SchemaScript schemaScript(Connection c, List<String[]> tables, List<String[]> sequences) throws SQLException {
        throw new io.ibex.IbexException("the " + kind() + " capture cannot read table definitions: create the target's tables by hand");
    }

    /** Whether the source has a sequence of that name. */
    boolean hasSequence(Connection c, String schema, String name) throws SQLException;

    /** A sequence's settings on the source. */
    SequenceSettings sequenceSettings(Connection c, String schema, String name) throws SQLException;

    /**
     * Tells the capture that this session (on a database it captures, opened by ibex to write there) is ibex's own,
     * so that what it writes is not captured again; does nothing where nothing is captured.
     */
    void registerOwnSession(Connection c) throws SQLException;

    /**
     * Runs a schema change on the source in a transaction of its own and returns the point in the change stream
     * where it committed, for {@link ChangeReader#passed}; regenerates the capture of the tables given (a trigger
     * that names columns) in that transaction.
     */
    String runDdl(Connection c, String statement, List<TableInfo> captured) throws SQLException;
}
