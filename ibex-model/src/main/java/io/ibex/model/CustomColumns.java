package io.ibex.model;

import java.util.List;

/**
 * Custom columns ({@code ibex add customcols}): the select list read from table relation (schema.table) for the
 * targets in scope (db: one target, sync: one sync's targets; null: any), and its output columns.
 */
public record CustomColumns(int id, String relation, String sync, String db, String clause, List<TableInfo.Column> columns) {

    /** How closely this entry fits a target of a sync: -1 not at all, else higher for the more specific. */
    public int fit(String syncName, String target) {
        if (sync != null && !sync.equals(syncName) || db != null && !db.equals(target)) {
            return -1;
        }
        return (db != null ? 2 : 0) + (sync != null ? 1 : 0);
    }
}
