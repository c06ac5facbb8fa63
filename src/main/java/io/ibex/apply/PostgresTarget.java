package io.ibex.apply;

import io.ibex.IbexException;
import io.ibex.capture.KeyRange;
import io.ibex.capture.SourceCatalog;
import io.ibex.capture.TableInfo;
import io.ibex.db.Pg;
import io.ibex.db.Sql;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A PostgreSQL target: changed keys are copied into a temporary table and deleted with one DELETE ... USING,
 * then the source rows are streamed in with COPY. Set-based both ways, in one transaction per batch.
 */
public class PostgresTarget implements Target {

    private final String name;
    private final Connection c;
    private final ReplicaMode replicaMode;
    private final CopyManager copy;
    private int tempCounter;

    public PostgresTarget(String name, Connection c, ReplicaMode replicaMode) {
        this.name = name;
        this.c = c;
        this.replicaMode = replicaMode;
        try {
            this.copy = c.unwrap(PGConnection.class).getCopyAPI();
            c.setAutoCommit(false);
            Pg.useStableTextFormat(c);
            c.commit();
        } catch (SQLException e) {
            throw fail("cannot prepare the session", e);
        }
    }

    public Connection connection() {
        return c;
    }

    public ReplicaMode replicaMode() {
        return replicaMode;
    }

    @Override
    public void begin() {
        try {
            replicaMode.apply(c);
        } catch (SQLException e) {
            throw fail("cannot hold off triggers and foreign keys", e);
        }
    }

    @Override
    public void checkTable(TableInfo source) {
        try {
            List<TableInfo.Column> cols = SourceCatalog.columns(c, source.schema(), source.name());
            if (cols.isEmpty()) {
                throw new IbexException("database \"" + name + "\" has no table " + source.qualifiedName());
            }
            Set<String> have = new HashSet<>();
            cols.forEach(col -> have.add(col.name()));
            List<String> missing = new ArrayList<>();
            for (String col : source.columnNames()) {
                if (!have.contains(col)) {
                    missing.add(col);
                }
            }
            if (!missing.isEmpty()) {
                throw new IbexException("table " + source.qualifiedName() + " on database \"" + name
                        + "\" lacks column(s) " + String.join(", ", missing));
            }
            c.commit();
        } catch (SQLException e) {
            throw fail("cannot read table " + source.qualifiedName(), e);
        }
    }

    @Override
    public void truncate(TableInfo t) {
        String table = Sql.qualified(t.schema(), t.name());
        try {
            Pg.exec(c, "SAVEPOINT ibex_truncate");
            try {
                Pg.exec(c, "TRUNCATE ONLY " + table);
            } catch (SQLException e) {
                // referenced by a foreign key, or no TRUNCATE privilege: DELETE does the same job
                Pg.exec(c, "ROLLBACK TO SAVEPOINT ibex_truncate");
                Pg.exec(c, "DELETE FROM ONLY " + table);
            }
            Pg.exec(c, "RELEASE SAVEPOINT ibex_truncate");
        } catch (SQLException e) {
            throw fail("cannot empty " + t.qualifiedName(), e);
        }
    }

    @Override
    public void empty(TableInfo t, String deletemethod) {
        String table = Sql.qualified(t.schema(), t.name());
        try {
            switch (deletemethod == null ? "delete" : deletemethod) {
                case "truncate" -> truncate(t);
                case "truncate_cascade" -> Pg.exec(c, "TRUNCATE ONLY " + table + " CASCADE");
                default -> Pg.exec(c, "DELETE FROM ONLY " + table);
            }
        } catch (SQLException e) {
            throw fail("cannot empty " + t.qualifiedName(), e);
        }
    }

    @Override
    public boolean hasRows(TableInfo t) {
        try {
            boolean rows = Pg.exists(c, "SELECT 1 FROM ONLY " + Sql.qualified(t.schema(), t.name()) + " LIMIT 1");
            c.commit();
            return rows;
        } catch (SQLException e) {
            throw fail("cannot read " + t.qualifiedName(), e);
        }
    }

    @Override
    public void reindex(TableInfo t) {
        outsideTransaction("REINDEX TABLE " + Sql.qualified(t.schema(), t.name()),
                "cannot rebuild the indexes of " + t.qualifiedName() + " (REINDEX needs the table's owner)");
    }

    @Override
    public void analyze(TableInfo t) {
        outsideTransaction("ANALYZE " + Sql.qualified(t.schema(), t.name()), "cannot analyze " + t.qualifiedName());
    }

    private void outsideTransaction(String sql, String failure) {
        try {
            c.setAutoCommit(true);
            Pg.exec(c, sql);
            c.setAutoCommit(false);
        } catch (SQLException e) {
            throw fail(failure, e);
        }
    }

    @Override
    public long deleteKeys(TableInfo t, InputStream keys, KeyRange range) {
        List<String> match = new ArrayList<>();
        for (String key : t.keyColumns()) {
            String k = Sql.ident(key);
            match.add("t." + k + " = k." + k);
        }
        try {
            String temp = keyTable(t);
            Pg.exec(c, "DELETE FROM " + temp); // keys of an earlier call in this transaction (another source's)
            if (copy.copyIn("COPY " + temp + " FROM STDIN", keys) > 10_000) {
                Pg.exec(c, "ANALYZE " + temp); // a temporary table has no statistics; without them big joins go wrong
                Pg.exec(c, "SET LOCAL work_mem = '64MB'"); // and the join's hash table in memory
            }
            try (var s = c.createStatement()) {
                return s.executeUpdate("DELETE FROM ONLY " + Sql.qualified(t.schema(), t.name()) + " t USING " + temp + " k WHERE "
                        + String.join(" AND ", match) + (range == null ? "" : " AND " + range.predicate("t", t)));
            }
        } catch (SQLException | IOException e) {
            throw fail("cannot delete changed rows of " + t.qualifiedName(), e);
        }
    }

    /**
     * The temporary table that takes a table's changed keys: created once per session (ON COMMIT DELETE ROWS
     * empties it at each commit), because creating one per batch costs more than the batch itself.
     */
    private String keyTable(TableInfo t) throws SQLException {
        String existing = keyTables.get(t.qualifiedName());
        if (existing != null) {
            return existing;
        }
        String temp = "ibex_keys_" + (++tempCounter);
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < t.keyColumns().size(); i++) {
            cols.add(Sql.ident(t.keyColumns().get(i)) + " " + t.keyTypes().get(i));
        }
        Pg.exec(c, "CREATE TEMPORARY TABLE " + temp + " (" + String.join(", ", cols) + ") ON COMMIT DELETE ROWS");
        keyTables.put(t.qualifiedName(), temp);
        createdInThisTransaction.add(t.qualifiedName());
        return temp;
    }

    private final java.util.Map<String, String> keyTables = new java.util.HashMap<>();
    private final java.util.Set<String> createdInThisTransaction = new java.util.HashSet<>();

    @Override
    public long insertRows(TableInfo t, InputStream rows) {
        try {
            return copy.copyIn("COPY " + Sql.qualified(t.schema(), t.name()) + " (" + Sql.idents(t.columnNames()) + ") FROM STDIN", rows);
        } catch (SQLException | IOException e) {
            throw fail("cannot copy rows into " + t.qualifiedName(), e);
        }
    }

    @Override
    public boolean setSequence(String schema, String seqName, long lastValue, boolean isCalled) {
        String seq = Sql.qualified(schema, seqName);
        try {
            boolean same = Pg.exists(c, "SELECT 1 FROM " + seq + " WHERE last_value = " + lastValue + " AND is_called = " + isCalled);
            if (!same) {
                Pg.queryString(c, "SELECT setval(" + Sql.literal(seq) + ", " + lastValue + ", " + isCalled + ")");
            }
            c.commit();
            return !same;
        } catch (SQLException e) {
            throw fail("cannot set sequence " + schema + "." + seqName, e);
        }
    }

    @Override
    public void commit() {
        try {
            c.commit();
            createdInThisTransaction.clear();
        } catch (SQLException e) {
            throw fail("commit failed", e);
        }
    }

    @Override
    public void rollback() {
        Pg.rollbackQuietly(c);
        createdInThisTransaction.forEach(keyTables::remove); // their creation was rolled back too
        createdInThisTransaction.clear();
    }

    @Override
    public void close() {
        rollback();
        Pg.closeQuietly(c);
    }

    private IbexException fail(String what, Exception e) {
        return new ApplyException("database \"" + name + "\": " + what + ": " + Pg.withDetail(e), Pg.sqlState(e), e);
    }
}
