package io.ibex.capture;

import io.ibex.db.Sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The change rows of one captured table, as the daemon reads them. A change table holds two kinds of row: one key per
 * row (a small statement, a key change, every change before PostgreSQL 10), and, where capture was installed on 10
 * or later, one row per chunk of a big statement, its keys in one array per key column and their number in
 * {@code ibex_rows} (see {@link CaptureInstaller}). Every reader goes through here, so both kinds are read alike.
 */
public final class ChangeRows {

    /** Change tables known to have the bulk columns, by server and name: once there, they stay (ibex never drops them). */
    private static final Map<String, Boolean> BULK = new ConcurrentHashMap<>();

    private final String delta;
    private final boolean bulk;

    private ChangeRows(String delta, boolean bulk) {
        this.delta = delta;
        this.bulk = bulk;
    }

    /**
     * The change rows of a table on this source. Whether its change table has the bulk columns is looked up (and
     * remembered once they are there); called after the read's snapshot is taken, the lookup sees every column that
     * a change visible in that snapshot could have used.
     */
    public static ChangeRows of(Connection c, String schema, String table) throws SQLException {
        String delta = CaptureInstaller.names(schema, table).qualifiedDelta();
        String key = c.getMetaData().getURL() + "\u0000" + delta;
        boolean bulk = BULK.containsKey(key);
        if (!bulk && c.getMetaData().getDatabaseMajorVersion() >= CaptureInstaller.BULK_SINCE_MAJOR && CaptureInstaller.hasBulkColumns(c, delta)) {
            BULK.put(key, true);
            bulk = true;
        }
        return new ChangeRows(delta, bulk);
    }

    /**
     * A FROM item (aliased ibex_changes) with one row per recorded key change of the rows matching the predicate
     * (over ibex_txid, ibex_origin): the key columns, ibex_txid, ibex_changed and ibex_origin.
     */
    public String relation(List<String> keyColumns, String predicate) {
        String keys = Sql.idents(keyColumns);
        String one = "SELECT " + keys + ", ibex_txid, ibex_changed, ibex_origin FROM " + delta;
        if (!bulk) {
            return "(" + one + " WHERE " + predicate + ") ibex_changes";
        }
        List<String> arrays = new ArrayList<>();
        for (int i = 1; i <= keyColumns.size(); i++) {
            arrays.add("pg_catalog.unnest(ibex_d." + CaptureInstaller.bulkColumn(i) + ")");
        }
        return "(" + one + " WHERE " + CaptureInstaller.BULK_ROWS + " IS NULL AND " + predicate
                + " UNION ALL SELECT " + Sql.idents("ibex_u.", keyColumns) + ", ibex_txid, ibex_changed, ibex_origin FROM " + delta
                + " ibex_d, ROWS FROM (" + String.join(", ", arrays) + ") AS ibex_u(" + keys + ") WHERE "
                + CaptureInstaller.BULK_ROWS + " IS NOT NULL AND " + predicate + ") ibex_changes";
    }

    /** A scalar subquery: how many keys the change rows matching the predicate record, counting at most limit rows. */
    public String count(String predicate, long limit) {
        return "(SELECT ibex_keys FROM (" + counts(predicate, limit) + ") ibex_c (ibex_keys, ibex_bulk))";
    }

    /**
     * A query of one row: how many keys the change rows matching the predicate record, and how many of those rows
     * are bulk rows (arrays of keys), counting at most limit rows.
     */
    public String counts(String predicate, long limit) {
        String rows = "SELECT " + (bulk ? CaptureInstaller.BULK_ROWS : "1") + " AS n FROM " + delta + " WHERE " + predicate
                + (limit > 0 ? " LIMIT " + limit : "");
        return "SELECT " + (bulk ? "coalesce(sum(coalesce(n, 1)), 0), count(n)" : "count(*), 0") + " FROM (" + rows + ") ibex_n";
    }

    /**
     * The same change rows read as if they had no bulk rows: for a read that knows none matches its predicate, whose
     * queries are then simpler to plan (which is most of what a small batch costs the source).
     */
    public ChangeRows withoutBulkRows() {
        return bulk ? new ChangeRows(delta, false) : this;
    }

    /** A scalar subquery: the seconds since the oldest change row matching the predicate, on this server's clock (null if none). */
    public String oldestAge(String predicate) {
        return "(SELECT extract(epoch FROM clock_timestamp() - min(ibex_changed)) FROM " + delta + " WHERE " + predicate + ")";
    }

    /** Whether any change row matches the predicate. */
    public String exists(String predicate) {
        return "SELECT 1 FROM " + delta + " WHERE " + predicate + " LIMIT 1";
    }
}
