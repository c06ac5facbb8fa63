package io.ibex.repository;

import io.ibex.db.Pg;
import io.ibex.model.CustomColumns;
import io.ibex.model.TableInfo;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

import static io.ibex.repository.Jdbc.call;
import static io.ibex.repository.Jdbc.strings;

/** Table {@code ibex.customcols}: the custom columns registered with {@code ibex add customcols}. */
public final class CustomColumnsTable {

    private final Connection c;

    CustomColumnsTable(Connection c) {
        this.c = c;
    }

    /** Adds an entry, or replaces the one of the same table and scope; returns its id. */
    public int put(CustomColumns e) {
        List<String> names = e.columns().stream().map(TableInfo.Column::name).toList();
        List<String> types = e.columns().stream().map(TableInfo.Column::type).toList();
        call(() -> Pg.update(c, "DELETE FROM ibex.customcols WHERE relation = ? AND coalesce(sync, '') = coalesce(?::text, '')"
                + " AND coalesce(db, '') = coalesce(?::text, '')", e.relation(), e.sync(), e.db()));
        return call(() -> (int) Pg.queryLong(c, "INSERT INTO ibex.customcols (relation, sync, db, clause, columns, types)"
                        + " VALUES (?, ?, ?, ?, ?, ?) RETURNING id", e.relation(), e.sync(), e.db(), e.clause(),
                c.createArrayOf("text", names.toArray()), c.createArrayOf("text", types.toArray())));
    }

    public List<CustomColumns> list() {
        return call(() -> Pg.query(c, "SELECT id, relation, sync, db, clause, columns, types FROM ibex.customcols ORDER BY relation, id", rs -> {
            List<String> names = strings(rs.getArray(6));
            List<String> types = strings(rs.getArray(7));
            List<TableInfo.Column> cols = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                cols.add(new TableInfo.Column(names.get(i), types.get(i)));
            }
            return new CustomColumns(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), cols);
        }));
    }

    public boolean remove(int id) {
        return call(() -> Pg.update(c, "DELETE FROM ibex.customcols WHERE id = ?", id)) > 0;
    }
}
