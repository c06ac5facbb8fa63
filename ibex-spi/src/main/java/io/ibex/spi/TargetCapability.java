package io.ibex.spi;

/** What an adapter can do beyond the batch contract of {@link Target}; asked of its {@link TargetProvider}, never tested by class. */
public enum TargetCapability {
    /** Holds off the target's triggers and foreign-key checks during an apply, in a way it can detect and describe. */
    REPLICA_MODE,
    /** Keeps sequences that {@link Target#setSequence} sets. */
    SEQUENCES,
    /** Empties a table faster than deleting its rows ({@link Target#truncate}, deletemethod=truncate). */
    TRUNCATE,
    /** Computes the digest of a key range that {@code ibex verify} compares with the source's (PostgreSQL md5 of COPY text). */
    VERIFY_DIGEST,
    /** Takes the PostgreSQL COPY text streams straight through, without decoding them into values. */
    COPY_TEXT,
    /** Can be a source too (capture installs on it); a database of a type without it is a target only, as in Bucardo. */
    SOURCE,
    /** Reads a table's rows back as typed values ({@link Target#readRows}), so that {@code ibex verify} compares values across engines. */
    READ_ROWS,
    /** Describes its tables' columns, adds a column, runs a statement of 'ibex ddl' (README, "Schema changes"). */
    SCHEMA_CHANGES,
    /**
     * Lacking a table, gets it from {@link Target#createTableStatement} (the source's columns in the target's types)
     * instead of the source's catalog script; it has no sequences to create.
     */
    TABLES_FROM_MAPPING
}
