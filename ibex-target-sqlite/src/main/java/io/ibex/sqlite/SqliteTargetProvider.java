package io.ibex.sqlite;

import io.ibex.IbexException;
import io.ibex.model.Database;
import io.ibex.spi.Target;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetProvider;
import io.ibex.spi.jdbc.JdbcTarget;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** An SQLite file as a target (type sqlite, dbname=/path/to/file.db): a target only, one transaction per batch. */
public final class SqliteTargetProvider implements TargetProvider {

    @Override
    public String type() {
        return "sqlite";
    }

    @Override
    public Set<TargetCapability> capabilities() {
        return EnumSet.of(TargetCapability.READ_ROWS, TargetCapability.TABLES_FROM_MAPPING);
    }

    /**
     * One: a second session that writes the same file while a copy holds its write lock would fail SQLITE_BUSY (a
     * transaction that began by reading cannot wait for the lock), so copies into SQLite run one table at a time.
     */
    @Override
    public int writersAtOnce() {
        return 1;
    }

    /** No host, port or user: only the file. */
    @Override
    public Map<String, String> optionDefaults() {
        return Map.of("dbhost", "localhost", "dbport", "1", "dbuser", "-");
    }

    @Override
    public String url(Database db) {
        return "jdbc:sqlite:" + db.dbname();
    }

    @Override
    public Target open(Database db, String applicationName) {
        Path dir = Path.of(db.dbname()).toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IbexException("database \"" + db.name() + "\": no directory " + dir + " for the SQLite file " + db.dbname());
        }
        Connection c;
        try {
            c = DriverManager.getConnection(url(db));
        } catch (SQLException e) {
            throw new IbexException("database \"" + db.name() + "\": cannot open the SQLite file " + db.dbname() + ": " + e.getMessage());
        }
        try {
            return new JdbcTarget(db.name(), c, new SqliteDialect());
        } catch (RuntimeException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
            if (e.getCause() instanceof SQLiteException x && x.getResultCode() == SQLiteErrorCode.SQLITE_NOTADB) {
                throw new IbexException("database \"" + db.name() + "\": " + db.dbname() + " is not an SQLite database file");
            }
            throw e;
        }
    }
}
