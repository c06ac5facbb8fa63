package io.ibex.spi.jdbc;

import io.ibex.IbexException;
import io.ibex.model.KeyRange;
import io.ibex.model.TableInfo;
import io.ibex.spi.ApplyException;
import io.ibex.spi.Row;
import io.ibex.spi.RowStream;
import io.ibex.spi.SequenceSettings;
import io.ibex.spi.Target;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A SQL database that is not PostgreSQL as a target, through JDBC: one transaction per batch, in which the changed
 * keys are deleted with {@code DELETE ... WHERE key IN (...)} thousands of keys at a time, then the current rows are
 * inserted with one prepared INSERT sent as batches (SQLite; MariaDB's adapter replaces this with LOAD DATA where the
 * server allows it). A target that lacks a table gets it from the type mapping (create_tables). Tables go by bare
 * name, as in Bucardo. Values come decoded from the COPY text ({@link RowStream}) and pass through {@link PortableValues}.
 */
public class JdbcTarget implements Target {

    /** Keys per DELETE statement. */
    static final int DELETE_CHUNK = 5_000;
    /** Rows per batch sent to the server. */
    static final int INSERT_BATCH = 5_000;

    private final String name;
    private final Connection c;
    private final Dialect dialect;
    private final JdbcFence fence;

    public JdbcTarget(String name, Connection c, Dialect dialect) {
        this.name = name;
        this.c = c;
        this.dialect = dialect;
        this.fence = new JdbcFence(name, c, dialect);
        try {
            c.setAutoCommit(true);
            dialect.prepareSession(c);
            c.setAutoCommit(false);
        } catch (SQLException e) {
            throw fail("cannot prepare the session", e);
        }
    }

    public Connection connection() {
        return c;
    }

    protected Dialect dialect() {
        return dialect;
    }

    protected String table(TableInfo t) {
        return dialect.quote(t.name());
    }

    @Override
    public void begin() {
        try {
            dialect.holdOffChecks(c);
        } catch (SQLException e) {
            throw fail("cannot hold off foreign-key and unique checks", e);
        }
        try {
            fence.check();
        } catch (SQLException e) {
            throw fail("cannot read the sync's fence", e);
        }
    }

    @Override
    public void fence(String sync, long epoch) {
        try {
            fence.fence(sync, epoch, this::raiseFence);
        } catch (SQLException e) {
            rollback();
            throw fail("cannot fence sync \"" + sync + "\" in the table " + JdbcFence.TABLE + " (the user needs CREATE, or create it as: "
                    + dialect.fenceTable() + ")", e);
        }
    }

    /** Runs the UPDATE that raises a sync's fence; an adapter may end the older owner's transactions that it waits for. */
    protected void raiseFence(JdbcFence.SqlAction update) throws SQLException {
        update.run();
    }

    @Override
    public void checkTable(TableInfo source) {
        try {
            List<String> cols = dialect.columns(c, source.name());
            c.commit();
            if (cols.isEmpty()) {
                throw new IbexException("database \"" + name + "\" (" + dialect.kind() + ") has no table " + source.name()
                        + " (a sync's initial copy creates it with create_tables=on); create it, for instance: " + dialect.types().createTable(dialect, source));
            }
            Set<String> have = new HashSet<>(cols);
            List<String> missing = source.columnNames().stream().filter(col -> !have.contains(col)).toList();
            if (!missing.isEmpty()) {
                throw new IbexException("table " + source.name() + " on database \"" + name + "\" lacks column(s) " + String.join(", ", missing));
            }
        } catch (SQLException e) {
            throw fail("cannot read table " + source.name(), e);
        }
    }

    /** Whether the table is there; a sequence never is (sequences stay on PostgreSQL). Outside any batch. */
    @Override
    public boolean hasRelation(String schema, String relation) {
        try {
            boolean there = !dialect.columns(c, relation).isEmpty();
            c.commit();
            return there;
        } catch (SQLException e) {
            throw fail("cannot read table " + relation, e);
        }
    }

    /** The table made from the source's columns with the documented type mapping, its primary key included. */
    @Override
    public String createTableStatement(TableInfo source) {
        return dialect.types().createTable(dialect, source);
    }

    @Override
    public void runSchema(List<String> statements) {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
            c.commit();
        } catch (SQLException e) {
            rollback();
            throw fail("cannot create tables", e);
        }
    }

    @Override
    public void truncate(TableInfo t) {
        empty(t, "delete");
    }

    /** Always DELETE: MariaDB's TRUNCATE commits the transaction, which would break the batch's atomicity. */
    @Override
    public void empty(TableInfo t, String deletemethod) {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM " + table(t));
        } catch (SQLException e) {
            throw fail("cannot empty " + t.name(), e);
        }
    }

    @Override
    public boolean hasRows(TableInfo t) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 FROM " + table(t) + " LIMIT 1")) {
            boolean any = rs.next();
            c.commit();
            return any;
        } catch (SQLException e) {
            throw fail("cannot read " + t.name(), e);
        }
    }

    @Override
    public void reindex(TableInfo table) {
        // nothing to rebuild: the indexes are filled as the rows go in
    }

    @Override
    public void analyze(TableInfo t) {
        String sql = dialect.analyze(table(t));
        if (sql != null) {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            } catch (SQLException e) {
                throw fail("cannot analyze " + t.name(), e);
            }
        }
    }

    @Override
    public long deleteKeys(TableInfo t, InputStream keys, KeyRange range) {
        try (RowStream in = RowStream.keys(t, keys)) {
            return deleteKeys(t, in::next);
        } catch (IOException e) {
            throw fail("cannot delete changed rows of " + t.name(), e);
        }
    }

    /** Supplies keys one at a time, null at the end. */
    protected interface KeySupplier {
        Row next() throws IOException;
    }

    /** Deletes the keys supplied, a chunk of {@link #deleteChunk} keys per DELETE statement; returns how many rows went. */
    protected long deleteKeys(TableInfo t, KeySupplier keys) throws IOException {
        List<String> keyCols = t.keyColumns().stream().map(dialect::quote).toList();
        int chunkSize = deleteChunk(keyCols.size());
        long deleted = 0;
        List<Row> chunk = new ArrayList<>(chunkSize);
        PreparedStatement full = null;
        try {
            for (Row r = keys.next(); ; r = keys.next()) {
                if (r != null) {
                    chunk.add(r);
                }
                if (chunk.size() == chunkSize || r == null && !chunk.isEmpty()) {
                    String sql = "DELETE FROM " + table(t) + " WHERE " + dialect.keyIn(keyCols, chunk.size());
                    if (chunk.size() == chunkSize && full == null) {
                        full = c.prepareStatement(sql);
                    }
                    PreparedStatement ps = chunk.size() == chunkSize ? full : c.prepareStatement(sql);
                    try {
                        int p = 1;
                        for (Row k : chunk) {
                            for (int i = 0; i < keyCols.size(); i++) {
                                ps.setObject(p++, value(t, t.keyColumns().get(i), t.keyTypes().get(i), k.get(i)));
                            }
                        }
                        deleted += ps.executeUpdate();
                    } finally {
                        if (ps != full) {
                            ps.close();
                        }
                    }
                    chunk.clear();
                }
                if (r == null) {
                    return deleted;
                }
            }
        } catch (SQLException e) {
            throw fail("cannot delete changed rows of " + t.name(), e);
        } finally {
            if (full != null) {
                try {
                    full.close();
                } catch (SQLException ignored) {
                    // the statement's connection failed already
                }
            }
        }
    }

    /** Keys per DELETE: thousands, within the 32,766 placeholders SQLite takes in one statement. */
    static int deleteChunk(int keyColumns) {
        return Math.max(1, Math.min(DELETE_CHUNK, 30_000 / keyColumns));
    }

    @Override
    public long deleteRange(TableInfo t, KeyRange range) {
        List<String> cols = t.keyColumns().stream().map(dialect::quote).toList();
        String row = cols.size() == 1 ? cols.get(0) : "(" + String.join(", ", cols) + ")";
        String params = cols.size() == 1 ? "?" : "(" + String.join(", ", java.util.Collections.nCopies(cols.size(), "?")) + ")";
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table(t) + " WHERE " + row + " >= " + params + " AND " + row + " <= " + params)) {
            int p = 1;
            for (List<String> bound : List.of(range.low(), range.high())) {
                for (int i = 0; i < cols.size(); i++) {
                    String type = t.keyTypes().get(i);
                    ps.setObject(p++, value(t, t.keyColumns().get(i), type, io.ibex.spi.CopyTextTypes.value(type, bound.get(i))));
                }
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw fail("cannot delete changed rows of " + t.name(), e);
        }
    }

    @Override
    public long insertRows(TableInfo t, InputStream rows) {
        List<String> cols = t.columnNames();
        List<String> types = t.columns().stream().map(TableInfo.Column::type).toList();
        String sql = "INSERT INTO " + table(t) + " (" + String.join(", ", cols.stream().map(dialect::quote).toList()) + ") VALUES ("
                + String.join(", ", java.util.Collections.nCopies(cols.size(), "?")) + ")";
        long n = 0;
        try (RowStream in = RowStream.rows(t, rows); PreparedStatement ps = c.prepareStatement(sql)) {
            int pending = 0;
            for (Row r = in.next(); r != null; r = in.next()) {
                for (int i = 0; i < cols.size(); i++) {
                    ps.setObject(i + 1, value(t, cols.get(i), types.get(i), r.get(i)));
                }
                ps.addBatch();
                n++;
                if (++pending == INSERT_BATCH) {
                    ps.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                ps.executeBatch();
            }
        } catch (SQLException | IOException e) {
            throw fail("cannot copy rows into " + t.name(), e);
        }
        return n;
    }

    protected Object value(TableInfo t, String column, String type, Object v) {
        return dialect.bind(PortableValues.toTarget(t.name(), column, type, v));
    }

    @Override
    public void readRows(TableInfo t, RowSink sink) throws IOException {
        List<String> cols = t.columnNames();
        List<String> read = new ArrayList<>();
        for (TableInfo.Column col : t.columns()) {
            read.add(dialect.readColumn(dialect.quote(col.name()), col.type()));
        }
        String sql = "SELECT " + String.join(", ", read) + " FROM " + table(t);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                List<Object> values = new ArrayList<>(cols.size());
                for (int i = 1; i <= cols.size(); i++) {
                    values.add(read(rs, i, t.columns().get(i - 1).type()));
                }
                sink.accept(new Row(cols, java.util.Collections.unmodifiableList(values)));
            }
            c.commit();
        } catch (SQLException e) {
            throw fail("cannot read " + t.name(), e);
        }
    }

    /** bytea as bytes, real and double precision as numbers (their text may be rounded), every other type as text. */
    private static Object read(ResultSet rs, int i, String pgType) throws SQLException {
        return switch (TypeMapping.base(pgType)) {
            case "bytea" -> rs.getBytes(i);
            case "real", "double precision" -> rs.getObject(i) == null ? null : rs.getDouble(i);
            default -> rs.getString(i);
        };
    }

    /** Sequences stay on PostgreSQL: there is nothing to set (a target without {@code SEQUENCES}). */
    @Override
    public boolean setSequence(String schema, String seqName, long lastValue, boolean isCalled, SequenceSettings settings) {
        return false;
    }

    @Override
    public void commit() {
        try {
            c.commit();
        } catch (SQLException e) {
            throw fail("commit failed", e);
        }
    }

    @Override
    public void rollback() {
        try {
            c.rollback();
        } catch (SQLException e) {
            // a connection that broke has nothing left to roll back
        }
    }

    @Override
    public void close() {
        rollback();
        try {
            c.close();
        } catch (SQLException e) {
            // closing a broken connection
        }
    }

    protected ApplyException fail(String what, Exception e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
        return new ApplyException("database \"" + name + "\": " + what + ": " + msg, e instanceof SQLException s ? s.getSQLState() : null, e);
    }
}
