package io.ibex.mariadb;

import io.ibex.model.KeyRange;
import io.ibex.model.TableInfo;
import io.ibex.spi.CopyTextDecoder;
import io.ibex.spi.CopyTextTypes;
import io.ibex.spi.Row;
import io.ibex.spi.jdbc.JdbcTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import io.ibex.spi.jdbc.JdbcFence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * MariaDB's fastest path: rows go by {@code LOAD DATA LOCAL INFILE ... REPLACE} fed from the COPY stream as it is
 * converted ({@link LoadDataText}), and the deletion of a batch's changed keys waits for their rows: a key whose row
 * came is replaced in place (an update inside InnoDB, where DELETE then INSERT would write each row twice), and only
 * the keys gone from the source are deleted, thousands per statement ({@link GoneKeys}). What waits is deleted at
 * the latest before the next table's rows or the commit, in the batch's transaction.
 */
final class MariaDbTarget extends JdbcTarget {

    /** Keys whose deletion waits for their table's rows: a list of keys, or a range of an integer key. */
    private record Pending(TableInfo table, List<List<String>> keys, KeyRange range) {
    }

    private static final Logger log = LoggerFactory.getLogger(MariaDbTarget.class);
    /** The targets already told about their server's local_infile (said once per daemon, not per session). */
    private static final Set<String> TOLD = ConcurrentHashMap.newKeySet();

    private Pending pending;
    /** The server takes LOAD DATA LOCAL (local_infile, on by default in MariaDB, off in MySQL 8); else batched INSERTs. */
    private final boolean loadData;

    /** Opens another session on the same server (the fence's sweeper's). */
    private final Supplier<Connection> another;

    MariaDbTarget(String name, Connection c, Supplier<Connection> another) {
        super(name, c, new MariaDbDialect());
        this.another = another;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@local_infile")) {
            rs.next();
            loadData = rs.getBoolean(1);
            c.commit();
            if (!loadData && TOLD.add(name)) {
                log.warn("Database \"{}\": the server has local_infile off, so rows go as batched INSERTs, several times slower than"
                        + " LOAD DATA LOCAL INFILE; SET GLOBAL local_infile = 1 on it for the fast path", name);
            }
        } catch (SQLException e) {
            throw fail("cannot read local_infile", e);
        }
    }

    @Override
    public void begin() {
        pending = null;
        super.begin();
    }

    /** The sessions whose transactions hold locks that this connection's statement waits for. */
    private static final String BLOCKERS = "SELECT DISTINCT b.trx_mysql_thread_id FROM information_schema.INNODB_LOCK_WAITS w"
            + " JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id"
            + " JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id WHERE r.trx_mysql_thread_id = ?";

    /**
     * Raises the sync's fence while a sweeper on another session ends every transaction the UPDATE waits for: those
     * are the older owner's, which read the fence's row with a shared lock (a daemon frozen in the middle of a batch
     * would otherwise hold the new owner up for good). Their transactions roll back; they wrote nothing that stays.
     */
    @Override
    protected void raiseFence(JdbcFence.SqlAction update) throws SQLException {
        long me;
        try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            me = rs.getLong(1);
        }
        AtomicBoolean done = new AtomicBoolean();
        Thread sweeper = new Thread(() -> sweep(me, done), "fence-sweeper");
        sweeper.setDaemon(true);
        sweeper.start();
        try {
            update.run();
        } finally {
            done.set(true);
            try {
                sweeper.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void sweep(long me, AtomicBoolean done) {
        try (Connection w = another.get(); PreparedStatement ps = w.prepareStatement(BLOCKERS); Statement kill = w.createStatement()) {
            w.setAutoCommit(true);
            while (!done.get()) {
                ps.setLong(1, me);
                List<Long> ids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
                for (long id : ids) {
                    kill.execute("KILL CONNECTION " + id);
                    log.warn("Ended session {} on MariaDB target: an older owner's transaction in flight held the sync's fence", id);
                }
                Thread.sleep(50);
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("Cannot end the older owner's sessions on a MariaDB target (the fence waits for them instead): {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public long deleteKeys(TableInfo t, InputStream keys, KeyRange range) {
        flush();
        if (!loadData) {
            return super.deleteKeys(t, keys, range);
        }
        List<List<String>> read = new ArrayList<>();
        try (keys) {
            CopyTextDecoder in = new CopyTextDecoder(keys);
            for (List<String> k = in.next(); k != null; k = in.next()) {
                read.add(k);
            }
        } catch (IOException e) {
            throw fail("cannot read the changed keys of " + t.name(), e);
        }
        pending = new Pending(t, read, null);
        return read.size(); // rows that go or are replaced
    }

    @Override
    public long deleteRange(TableInfo t, KeyRange range) {
        flush();
        if (!loadData || !GoneKeys.integerRange(t, range)) {
            return super.deleteRange(t, range);
        }
        pending = new Pending(t, null, range);
        return 0;
    }

    @Override
    public long insertRows(TableInfo t, InputStream rows) {
        if (pending != null && !pending.table().name().equals(t.name())) {
            flush();
        }
        if (!loadData) {
            return super.insertRows(t, rows);
        }
        Pending waiting = pending;
        pending = null;
        GoneKeys seen = waiting == null ? null
                : waiting.range() != null ? GoneKeys.ofRange(t, waiting.range()) : GoneKeys.ofKeys(t, waiting.keys());
        long n;
        try (rows) {
            n = load(t, rows, seen);
        } catch (IOException e) {
            throw fail("cannot copy rows into " + t.name(), e);
        }
        if (seen != null) {
            try {
                seen.deleteGone(this, connection());
            } catch (SQLException e) {
                throw fail("cannot delete changed rows of " + t.name(), e);
            }
        }
        return n;
    }

    /** LOAD DATA of the converted rows; a value MariaDB did not take as it is (a warning) is an error naming its column. */
    private long load(TableInfo t, InputStream rows, GoneKeys seen) {
        LoadDataText text = new LoadDataText(rows, t, seen == null ? null : seen::seen);
        String sql = "LOAD DATA LOCAL INFILE 'ibex.copy' REPLACE INTO TABLE " + table(t)
                + " CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ("
                + String.join(", ", t.columnNames().stream().map(dialect()::quote).toList()) + ")";
        try (Statement s = connection().createStatement()) {
            s.unwrap(org.mariadb.jdbc.Statement.class).setLocalInfileInputStream(text);
            try {
                s.execute(sql);
            } catch (SQLException e) {
                if (text.failure() != null) {
                    throw text.failure();
                }
                throw e;
            }
            if (text.failure() != null) {
                throw text.failure();
            }
            try (ResultSet w = s.executeQuery("SHOW WARNINGS")) {
                while (w.next()) {
                    if (!"Note".equalsIgnoreCase(w.getString(1))) {
                        throw fail("cannot copy rows into " + t.name(), new SQLException(w.getString(3)));
                    }
                }
            }
            return text.rows();
        } catch (SQLException e) {
            throw fail("cannot copy rows into " + t.name(), e);
        }
    }

    /** Deletes the keys that wait, all of them: no rows came for them. */
    private void flush() {
        Pending p = pending;
        pending = null;
        if (p == null) {
            return;
        }
        if (p.range() != null) {
            super.deleteRange(p.table(), p.range());
            return;
        }
        deleteKeyFields(p.table(), p.keys());
    }

    /** Deletes keys given as their COPY fields, in chunks. */
    long deleteKeyFields(TableInfo t, List<List<String>> keys) {
        var it = keys.iterator();
        List<String> cols = t.keyColumns();
        List<String> types = t.keyTypes();
        try {
            return deleteKeys(t, () -> {
                if (!it.hasNext()) {
                    return null;
                }
                List<String> fields = it.next();
                List<Object> values = new ArrayList<>(fields.size());
                for (int i = 0; i < fields.size(); i++) {
                    values.add(CopyTextTypes.value(types.get(i), fields.get(i)));
                }
                return new Row(cols, values);
            });
        } catch (IOException e) {
            throw fail("cannot delete changed rows of " + t.name(), e);
        }
    }

    @Override
    public void empty(TableInfo t, String deletemethod) {
        flush();
        super.empty(t, deletemethod);
    }

    @Override
    public void commit() {
        try {
            flush();
        } catch (RuntimeException e) {
            rollback();
            throw e;
        }
        super.commit();
    }

    @Override
    public void rollback() {
        pending = null;
        super.rollback();
    }

}
