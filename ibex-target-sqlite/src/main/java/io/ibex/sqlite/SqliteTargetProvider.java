package io.ibex.sqlite;

import io.ibex.IbexException;
import io.ibex.model.Database;
import io.ibex.spi.Target;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetProvider;
import io.ibex.spi.jdbc.JdbcTarget;

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
            throw e;
        }
    }
}
