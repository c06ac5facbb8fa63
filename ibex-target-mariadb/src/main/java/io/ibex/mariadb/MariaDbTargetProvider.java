package io.ibex.mariadb;

import io.ibex.IbexException;
import io.ibex.model.Database;
import io.ibex.spi.Target;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetProvider;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.Set;

/**
 * MariaDB and MySQL as targets (type mariadb, aliases mysql and maria): a target only, as in Bucardo. The driver
 * (LGPL) is a jar of its own beside ibex.jar.
 */
public final class MariaDbTargetProvider implements TargetProvider {

    @Override
    public String type() {
        return "mariadb";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("mysql", "maria");
    }

    @Override
    public Set<TargetCapability> capabilities() {
        return EnumSet.of(TargetCapability.READ_ROWS, TargetCapability.TABLES_FROM_MAPPING);
    }

    @Override
    public Map<String, String> optionDefaults() {
        return Map.of("dbhost", "127.0.0.1", "dbport", "3306", "dbuser", "root");
    }

    @Override
    public String url(Database db) {
        return "jdbc:mariadb://" + db.host() + ":" + db.port() + "/" + db.dbname();
    }

    @Override
    public Target open(Database db, String applicationName) {
        Properties p = new Properties();
        p.setProperty("user", db.user());
        if (db.password() != null) {
            p.setProperty("password", db.password());
        }
        // rows go by LOAD DATA LOCAL INFILE from a stream ibex feeds (MariaDbTarget), never from a file a server names
        p.setProperty("allowLocalInfile", "true");
        // without local_infile on the server: batched INSERTs, each batch one bulk command (COM_STMT_BULK_EXECUTE)
        p.setProperty("useBulkStmts", "true");
        p.setProperty("connectTimeout", "10000");
        p.setProperty("connectionAttributes", "program_name:" + applicationName);
        Supplier<Connection> connect = () -> {
            try {
                return DriverManager.getConnection(url(db), p);
            } catch (SQLException e) {
                throw new IbexException("database \"" + db.name() + "\": cannot connect to MariaDB at " + db.host() + ":" + db.port()
                        + "/" + db.dbname() + ": " + firstLine(e));
            }
        };
        Connection c = connect.get();
        try {
            return new MariaDbTarget(db.name(), c, connect);
        } catch (RuntimeException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
            throw e;
        }
    }

    static String firstLine(SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
