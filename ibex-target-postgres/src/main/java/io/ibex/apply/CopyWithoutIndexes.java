package io.ibex.apply;

import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.spi.CopyPath;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The indexes a PostgreSQL target sets aside for a full copy and builds again after the rows (see CopyIndexes). */
final class CopyWithoutIndexes {

    private final PostgresTarget target;
    private final String name;
    private final Connection c;

    CopyWithoutIndexes(PostgresTarget target) {
        this.target = target;
        this.name = target.name();
        this.c = target.connection();
    }

    /**
     * Full copy as pg_restore loads a table: when the table is emptied by TRUNCATE or is empty already, the role owns
     * it and no foreign key references it, its indexes (and the primary key, unique and exclusion constraints they
     * back) are dropped here, after an ACCESS EXCLUSIVE lock, and built again by finishCopy after the rows, all in
     * the copy's transaction (see CopyIndexes for which indexes qualify). Otherwise the table keeps its indexes.
     */
    CopyPath emptyForCopy(TableInfo t, String deletemethod) {
        boolean truncating = "truncate".equals(deletemethod) || "truncate_cascade".equals(deletemethod);
        String table = Sql.qualified(t.schema(), t.name());
        try {
            String kept = CopyIndexes.failedBefore(name, table);
            if (kept == null) {
                kept = CopyIndexes.tableKept(c, t);
            }
            if (kept == null && !truncating && Pg.exists(c, "SELECT 1 FROM ONLY " + table + " LIMIT 1")) {
                kept = "the table has rows, and deletemethod is delete (readers keep them until the commit)";
            }
            if (kept == null && !CopyIndexes.lock(c, t, truncating)) {
                kept = "the table's exclusive lock was not granted" + (truncating ? "" : " within " + CopyIndexes.LOCK_TIMEOUT);
            }
            if (kept == null) {
                kept = CopyIndexes.tableKept(c, t); // again, under the lock
            }
            target.empty(t, deletemethod);
            if (kept != null) {
                return CopyPath.keptAll("indexes kept: " + kept);
            }
            List<CopyIndexes.Found> found = CopyIndexes.read(c, t);
            List<CopyIndexes.Index> rebuild = new ArrayList<>();
            List<String> keptIndexes = new ArrayList<>();
            Pg.exec(c, "SAVEPOINT ibex_copy_drop");
            for (CopyIndexes.Found f : found) {
                if (f.rebuild() == null) {
                    keptIndexes.add(f.keptWhy());
                    continue;
                }
                try {
                    Pg.exec(c, f.drop());
                } catch (SQLException e) { // something the catalog checks did not foresee: the old path
                    Pg.exec(c, "ROLLBACK TO SAVEPOINT ibex_copy_drop");
                    Pg.exec(c, "RELEASE SAVEPOINT ibex_copy_drop");
                    return CopyPath.keptAll("indexes kept: cannot drop " + f.rebuild().name() + ": " + Pg.firstLine(e));
                }
                rebuild.add(f.rebuild());
            }
            Pg.exec(c, "RELEASE SAVEPOINT ibex_copy_drop");
            if (rebuild.isEmpty()) {
                return CopyPath.keptAll(found.isEmpty() ? "no indexes" : "indexes kept: " + String.join("; ", keptIndexes));
            }
            setAside.put(table, rebuild);
            return new CopyPath(rebuild.size(), keptIndexes.size(), rebuild.size() + " index(es) dropped before the rows"
                    + (keptIndexes.isEmpty() ? "" : "; kept " + String.join("; ", keptIndexes)));
        } catch (SQLException e) {
            throw target.fail("cannot prepare the copy of " + t.qualifiedName(), e);
        }
    }

    /** Builds again the indexes emptyForCopy dropped; "" if there are none. */
    String rebuild(String table) {
        List<CopyIndexes.Index> indexes = setAside.remove(table);
        if (indexes == null) {
            return "";
        }
        long started = System.nanoTime();
        String current = null;
        try {
            // every index set aside was in the database's default tablespace (pg_get_indexdef names none)
            Pg.queryString(c, "SELECT set_config('default_tablespace', '', true)");
            for (CopyIndexes.Index index : indexes) {
                current = index.name();
                for (String sql : index.create()) {
                    Pg.exec(c, sql);
                }
            }
        } catch (SQLException e) {
            // the copy's transaction is lost, and the copy is repeated: then with the indexes kept, unless the data
            // (a duplicate key, which the old path refuses too) or the connection failed rather than the definition
            CopyIndexes.failed(name, table, current + ": " + Pg.firstLine(e), Pg.sqlState(e));
            throw target.fail("cannot build " + (current == null ? "the indexes" : "index " + current) + " of " + table + " again after the copy", e);
        }
        return indexes.size() + " index(es) built after the rows in " + (System.nanoTime() - started) / 1_000_000 + " ms";
    }

    /** Indexes dropped for a full copy and not yet built again, by table: commit builds them if finishCopy did not. */
    private final Map<String, List<CopyIndexes.Index>> setAside = new LinkedHashMap<>();

    /** Builds what is still set aside: never commit a table without the indexes it had. */
    void rebuildAll() {
        for (String table : List.copyOf(setAside.keySet())) {
            rebuild(table);
        }
    }

    /** The drops were rolled back. */
    void rolledBack() {
        setAside.clear();
    }
}
