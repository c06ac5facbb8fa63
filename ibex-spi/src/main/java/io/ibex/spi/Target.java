package io.ibex.spi;

import io.ibex.model.KeyRange;
import io.ibex.model.TableInfo;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One database that receives changes. A batch is begin, then per table an optional truncate, the deletion of
 * every changed key and the insertion of the current source rows of those keys, then commit: applying the
 * same batch twice gives the same result, which is what makes a crash between commit and the recording of
 * progress harmless.
 *
 * <p>Keys and rows arrive as PostgreSQL COPY text streams. The PostgreSQL adapter passes them straight through to
 * COPY ({@link TargetCapability#COPY_TEXT}), which is how rows move between PostgreSQL servers; an adapter that needs
 * values reads them as {@link Row}s of typed values with {@link RowStream#keys} and {@link RowStream#rows}. Adapters
 * are found at run time by the database's type through their {@link TargetProvider}.
 */
public interface Target extends AutoCloseable {

    /** Starts a transaction in which the target's own triggers and foreign-key checks are held off. */
    void begin();

    /** Checks that the target has the table with every column the source sends; throws a one-line error if not. */
    void checkTable(TableInfo source);

    /** Whether the target has a table or sequence of that name (create_tables: what it lacks is created). */
    default boolean hasRelation(String schema, String name) {
        return true;
    }

    /**
     * Runs statements of a {@link SchemaScript} in one transaction of their own, committed (create_tables); an
     * adapter that cannot create tables says so in one line.
     */
    default void runSchema(List<String> statements) {
        throw new io.ibex.IbexException("this target cannot create tables: create them by hand, or set create_tables=off");
    }

    /**
     * The statement that creates the table from the source's columns in this target's own types (create_tables on a
     * target that cannot run the source's catalog script: {@link TargetCapability#TABLES_FROM_MAPPING}).
     */
    default String createTableStatement(TableInfo source) {
        throw new UnsupportedOperationException("this target makes its tables from the source's catalog");
    }

    void truncate(TableInfo table);

    /** Empties a table before a full copy: deletemethod is delete, truncate or truncate_cascade. */
    void empty(TableInfo table, String deletemethod);

    /**
     * Empties a table for a full copy, like {@link #empty}, inside the copy's transaction, and says how its rows
     * will be loaded. An adapter may set the table's indexes aside here, to build them after the rows: then
     * {@link #finishCopy} must follow the rows, before {@link #commit}. By default the indexes stay.
     */
    default CopyPath emptyForCopy(TableInfo table, String deletemethod) {
        empty(table, deletemethod);
        return CopyPath.keptAll("indexes kept");
    }

    /** Builds what {@link #emptyForCopy} set aside, after the rows and before commit; says what it did ("" if nothing). */
    default String finishCopy(TableInfo table) {
        return "";
    }

    boolean hasRows(TableInfo table);

    /** Rebuilds a table's indexes after a full copy (rebuild_index); outside any transaction. */
    void reindex(TableInfo table);

    /** Refreshes the planner statistics after a full copy (analyze_after_copy), in the copy's transaction. */
    void analyze(TableInfo table);

    /** Deletes the rows whose keys are in the stream; returns how many rows went. */
    default long deleteKeys(TableInfo table, InputStream keys) {
        return deleteKeys(table, keys, null);
    }

    /** Like {@link #deleteKeys(TableInfo, InputStream)}, for keys known to lie in a range (null: no range). */
    long deleteKeys(TableInfo table, InputStream keys, KeyRange range);

    /** Whether {@link #committed} can tell (a range copied in a transaction of this target is then never deleted). */
    default boolean tellsCommitted() {
        return false;
    }

    /**
     * The id of the transaction begun (one is assigned if it has none), so that whoever finds the work it did cut
     * short can ask {@link #committed} later; empty when this target cannot tell.
     */
    default java.util.OptionalLong transactionId() {
        return java.util.OptionalLong.empty();
    }

    /**
     * Whether the transaction of that id committed (true) or not, and never will (false); empty if the target cannot
     * tell. One still running (its client died and the server has not noticed yet) is ended first. Outside a
     * transaction: it leaves none open.
     */
    default Optional<Boolean> committed(long transactionId) {
        return Optional.empty();
    }

    /** Deletes every row whose key lies in the range; returns how many rows went. */
    long deleteRange(TableInfo table, KeyRange range);

    /** Inserts the rows in the stream; returns how many. */
    long insertRows(TableInfo table, InputStream rows);

    /** Opens the rows of a {@link #replaceRows} once the keys are read (both may come from one source read). */
    interface Rows {
        InputStream open() throws IOException, SQLException;
    }

    /**
     * Brings the rows of the changed keys to the source's: afterwards the table holds exactly the given rows for
     * those keys (a key without a row has none). Returns {rows that went or were replaced, rows written}, what
     * {@link #deleteKeys} and {@link #insertRows} return, which is the default way.
     */
    default long[] replaceRows(TableInfo table, InputStream keys, Rows rows) throws IOException, SQLException {
        long deleted = deleteKeys(table, keys);
        try (InputStream in = rows.open()) {
            return new long[] {deleted, insertRows(table, in)};
        }
    }

    /** One table's changed keys and their current rows, for {@link #replaceAll}. */
    record Change(TableInfo table, Rows keys, Rows rows) {
    }

    /**
     * Brings the rows of several tables' changed keys to the source's, in the transaction begun: by default one
     * table after the other, as {@link #replaceRows}. The streams are opened in the order given. Returns the counts
     * of each, in that order.
     */
    default List<long[]> replaceAll(List<Change> changes) throws IOException, SQLException {
        List<long[]> counts = new ArrayList<>();
        for (Change change : changes) {
            try (InputStream keys = change.keys().open()) {
                counts.add(replaceRows(change.table(), keys, change.rows())); // the rows are opened after the keys are read
            }
        }
        return counts;
    }

    /**
     * The order in which the tables must be written because the target checks their foreign keys during an apply
     * (replica_mode=none); {@link ForeignKeyOrder#none()} where it does not. Read outside a batch's transaction.
     */
    default ForeignKeyOrder foreignKeyOrder(List<TableInfo> tables) {
        return ForeignKeyOrder.none();
    }

    /**
     * How the target's triggers and foreign-key checks are held off during an apply, for validate and status; empty
     * where the adapter has no such thing ({@link TargetCapability#REPLICA_MODE}).
     */
    default Optional<String> describeReplicaMode() {
        return Optional.empty();
    }

    /**
     * Fences this session for a sync owned under a lease epoch (several daemons on one repository), before its first
     * write: the target's fence of the sync is raised to this epoch if it is lower (waiting for, or ending, an older
     * owner's transaction in flight), and from then on every transaction this session begins checks that no newer
     * owner has raised it, failing with one line ({@link #STANDING_DOWN} in its message) if one has. By default
     * nothing: PostgreSQL targets are fenced by the engine's advisory locks, through {@link #session()}.
     */
    default void fence(String sync, long epoch) {
    }

    /** The words a fenced target's refusal begins with: a newer owner of the sync took it over. */
    String STANDING_DOWN = "another daemon took over sync";

    /** The JDBC session the target applies with, handed to custom code; empty for an adapter that has none. */
    default Optional<Connection> session() {
        return Optional.empty();
    }

    /** Receives the rows of {@link #readRows}, one at a time. */
    interface RowSink {
        void accept(Row row) throws IOException;
    }

    /**
     * Reads every row of the table (its columns as the source names them) as typed values, in no particular order,
     * outside any batch, for {@code ibex verify} across engines. Only where the provider can
     * {@link TargetCapability#READ_ROWS}.
     */
    default void readRows(TableInfo table, RowSink sink) throws IOException {
        throw new UnsupportedOperationException("this target cannot read its rows back");
    }

    /**
     * Whether a row whose non-key columns are all null is kept ({@link #readRows} gives it back); Redis keeps no such
     * row (it has no empty hash), so {@code ibex verify} neither expects nor counts it there.
     */
    default boolean holdsRowsWithoutValues() {
        return true;
    }

    /** Sets a sequence to a value, is_called and settings; returns false if it had them already. Outside any batch. */
    boolean setSequence(String schema, String name, long lastValue, boolean isCalled, SequenceSettings settings);

    /**
     * The table's columns on this target, with type, NOT NULL and default (empty if it has no such table); outside a
     * batch's transaction. Only for an adapter with {@link TargetCapability#SCHEMA_CHANGES}.
     */
    default List<io.ibex.model.ColumnDef> columns(TableInfo table) {
        throw new UnsupportedOperationException("this target cannot describe its tables' columns");
    }

    /** Adds a column as the source has it, in the transaction begun ({@link TargetCapability#SCHEMA_CHANGES}). */
    default void addColumn(TableInfo table, io.ibex.model.ColumnDef column) {
        throw new UnsupportedOperationException("this target cannot add columns");
    }

    /**
     * Runs a statement that 'ibex ddl' ran on the source, in the transaction begun; false if the target had it
     * already (an object that exists, or is gone, already), which a crash between its commit and its record leaves.
     */
    default boolean executeDdl(String statement) {
        throw new UnsupportedOperationException("this target cannot run schema changes");
    }

    void commit();

    void rollback();

    @Override
    void close();
}
