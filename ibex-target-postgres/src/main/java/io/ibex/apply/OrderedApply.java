package io.ibex.apply;

import io.ibex.IbexException;
import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.spi.ForeignKeyOrder;
import io.ibex.spi.Target;

import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch for a target whose foreign keys fire (replica_mode=none), in its one transaction. Every table's keys and
 * rows are first read into temporary tables (in the order the source sends them); then, parents first, the rows
 * that are there are updated in place and the new ones inserted; last, children first, the keys without a row are
 * deleted. A row that stays is never deleted and inserted again: that would fail on the rows referencing it, or,
 * with ON DELETE CASCADE, silently take them with it.
 */
final class OrderedApply {

    private final PostgresTarget target;
    private final ForeignKeyOrder order;

    OrderedApply(PostgresTarget target, ForeignKeyOrder order) {
        this.target = target;
        this.order = order;
    }

    /** The temporary tables of one table: its rows, and the keys that have no row any more. */
    private record Staged(String rows, String gone) {
    }

    List<long[]> apply(List<Target.Change> changes) throws IOException, SQLException {
        Map<Target.Change, Staged> staged = new IdentityHashMap<>();
        Map<Target.Change, long[]> counts = new IdentityHashMap<>();
        for (Target.Change ch : changes) {
            staged.put(ch, stage(ch));
            counts.put(ch, new long[2]);
        }
        for (Target.Change ch : order.parentsFirst(changes, Target.Change::table)) {
            write(ch.table(), staged.get(ch), counts.get(ch));
        }
        for (Target.Change ch : order.childrenFirst(changes, Target.Change::table)) {
            counts.get(ch)[0] += update("DELETE FROM ONLY " + table(ch.table()) + " t USING " + staged.get(ch).gone() + " k WHERE "
                    + PostgresTarget.keysMatch(ch.table(), "t", "k"), ch.table());
        }
        List<long[]> result = new ArrayList<>();
        changes.forEach(ch -> result.add(counts.get(ch)));
        return result;
    }

    private Staged stage(Target.Change ch) throws IOException, SQLException {
        TableInfo t = ch.table();
        try {
            String keys = target.keyTable(t);
            try (InputStream in = ch.keys().open()) {
                target.fill(keys, in);
            }
            String rows = target.rowTable(t);
            try (InputStream in = ch.rows().open()) {
                target.fill(rows, in);
            }
            Pg.exec(target.connection(), "DELETE FROM " + keys + " k USING " + rows + " r WHERE " + PostgresTarget.keysMatch(t, "k", "r"));
            return new Staged(rows, keys);
        } catch (SQLException e) {
            throw target.fail("cannot apply the changed rows of " + t.qualifiedName(), e);
        }
    }

    /** The rows of the table's changed keys that still exist on the source: updated in place or inserted. */
    private void write(TableInfo t, Staged s, long[] counts) throws SQLException {
        List<String> set = target.columnsToSet(t);
        String insert = "INSERT INTO " + table(t) + " (" + Sql.idents(t.columnNames()) + ")" + target.overriding + " SELECT " + Sql.idents("r.", t.columnNames())
                + " FROM " + s.rows() + " r WHERE NOT EXISTS (SELECT 1 FROM ONLY " + table(t) + " t WHERE "
                + PostgresTarget.keysMatch(t, "t", "r") + ")";
        if (set == null) {
            if (order.isReferenced(t)) {
                String role = Pg.queryString(target.connection(), "SELECT current_user");
                throw new IbexException("database \"" + target.name() + "\": table " + t.qualifiedName() + " is referenced by a foreign key and "
                        + "replica_mode=none, so its changed rows must be updated in place: run 'GRANT UPDATE ON "
                        + table(t) + " TO " + Sql.ident(role) + "' on it (or use a replica_function)");
            }
            counts[0] += update("DELETE FROM ONLY " + table(t) + " t USING " + s.rows() + " r WHERE "
                    + PostgresTarget.keysMatch(t, "t", "r"), t);
            counts[1] += update(insert, t);
            return;
        }
        String updateSql = set.isEmpty() ? null : "UPDATE ONLY " + table(t) + " t SET " + assignments(set) + " FROM " + s.rows()
                + " r WHERE " + PostgresTarget.keysMatch(t, "t", "r");
        if (updateSql != null && order.referencesItself(t)) {
            // the new rows first: an updated row may point at one of them (the UPDATE rewrites them, harmlessly)
            long inserted = update(insert, t);
            long updated = update(updateSql, t);
            counts[0] += updated - inserted;
            counts[1] += updated;
        } else {
            long updated = updateSql == null ? 0 : update(updateSql, t);
            long inserted = update(insert, t);
            counts[0] += updated;
            counts[1] += updated + inserted;
        }
    }

    private static String assignments(List<String> set) {
        List<String> assign = new ArrayList<>();
        for (String col : set) {
            assign.add(Sql.ident(col) + " = r." + Sql.ident(col));
        }
        return String.join(", ", assign);
    }

    private long update(String sql, TableInfo t) {
        try (var s = target.connection().createStatement()) {
            return s.executeUpdate(sql);
        } catch (SQLException e) {
            throw target.fail("cannot apply the changed rows of " + t.qualifiedName(), e);
        }
    }

    private static String table(TableInfo t) {
        return Sql.qualified(t.schema(), t.name());
    }
}
