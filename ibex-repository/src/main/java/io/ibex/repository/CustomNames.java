package io.ibex.repository;

import io.ibex.db.Pg;
import io.ibex.model.CustomName;

import java.sql.Connection;
import java.util.List;

import static io.ibex.repository.Jdbc.call;

/** Table {@code ibex.customname}: the tables written under another name on the databases that receive them. */
public final class CustomNames {

    private static final String SELECT = "SELECT n.id, n.relation, r.schemaname || '.' || r.relname, n.db, n.sync, n.schemaname, n.relname "
            + "FROM ibex.customname n JOIN ibex.relation r ON r.id = n.relation ";

    private final Connection c;

    CustomNames(Connection c) {
        this.c = c;
    }

    /** Adds the row; the caller has checked that no row has the same relation, db and sync. */
    public long add(long relation, String db, String sync, String schema, String name) {
        return call(() -> Pg.query(c, "INSERT INTO ibex.customname (relation, db, sync, schemaname, relname) VALUES (?, ?, ?, ?, ?) RETURNING id",
                rs -> rs.getLong(1), (int) relation, db, sync, schema, name).get(0));
    }

    public List<CustomName> all() {
        return call(() -> Pg.query(c, SELECT + "ORDER BY r.schemaname, r.relname, n.db NULLS FIRST, n.sync NULLS FIRST", CustomNames::row));
    }

    public boolean remove(long id) {
        return call(() -> Pg.update(c, "DELETE FROM ibex.customname WHERE id = ?", (int) id)) > 0;
    }

    private static CustomName row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new CustomName(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7));
    }
}
