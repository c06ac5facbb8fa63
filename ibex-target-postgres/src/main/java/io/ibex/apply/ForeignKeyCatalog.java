package io.ibex.apply;

import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.spi.ForeignKeyOrder;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the foreign keys among a set of tables from a PostgreSQL target's catalog, as a {@link ForeignKeyOrder}. */
final class ForeignKeyCatalog {
    private ForeignKeyCatalog() {
    }

    /**
     * Reads the foreign keys of the tables from the target's catalog (pg_constraint, contype 'f'); throws a
     * one-line error naming the tables of a cycle.
     */
    static ForeignKeyOrder read(Connection c, String dbName, Collection<TableInfo> tables) throws SQLException {
        if (tables.isEmpty()) {
            return ForeignKeyOrder.none();
        }
        Set<String> names = new HashSet<>();
        List<String> regclasses = new ArrayList<>();
        for (TableInfo t : tables) {
            names.add(t.qualifiedName());
            regclasses.add(Sql.literal(Sql.qualified(t.schema(), t.name())) + "::regclass");
        }
        String in = String.join(", ", regclasses);
        List<String[]> edges = Pg.query(c, "SELECT cn.nspname, cl.relname, fn.nspname, fl.relname FROM pg_catalog.pg_constraint co "
                + "JOIN pg_catalog.pg_class cl ON cl.oid = co.conrelid JOIN pg_catalog.pg_namespace cn ON cn.oid = cl.relnamespace "
                + "JOIN pg_catalog.pg_class fl ON fl.oid = co.confrelid JOIN pg_catalog.pg_namespace fn ON fn.oid = fl.relnamespace "
                + "WHERE co.contype = 'f' AND co.confrelid IN (" + in + ")",
                rs -> new String[] {rs.getString(1) + "." + rs.getString(2), rs.getString(3) + "." + rs.getString(4)});
        Map<String, Set<String>> parents = new LinkedHashMap<>();
        Set<String> referenced = new HashSet<>();
        Set<String> self = new HashSet<>();
        names.forEach(n -> parents.put(n, new HashSet<>()));
        for (String[] e : edges) {
            referenced.add(e[1]);
            if (e[0].equals(e[1])) {
                self.add(e[0]);
            } else if (names.contains(e[0])) {
                parents.get(e[0]).add(e[1]);
            }
        }
        return ForeignKeyOrder.of(dbName, parents, referenced, self);
    }
}
