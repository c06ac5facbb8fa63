package io.ibex.spi;

/**
 * How a full copy loads one table: into the table with its indexes in place, or, as pg_restore does, with its
 * indexes dropped first and built again after the rows, in the same target transaction.
 *
 * @param rebuilt indexes (constraints' included) dropped before the rows, rebuilt by {@link Target#finishCopy}
 * @param kept    indexes left in place (and filled row by row)
 * @param why     for the log: the path, and why an index or the whole table was kept
 */
public record CopyPath(int rebuilt, int kept, String why) {

    /** Every index kept: the old path. */
    public static CopyPath keptAll(String why) {
        return new CopyPath(0, -1, why);
    }

    /** True when no index of the table was filled row by row (so a REINDEX after the copy would only redo the work). */
    public boolean rebuiltAll() {
        return rebuilt > 0 && kept == 0;
    }
}
