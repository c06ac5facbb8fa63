package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.db.ConnectionSpec;
import io.ibex.model.Database;
import io.ibex.repository.Repository;
import io.ibex.spi.TargetProvider;
import io.ibex.spi.TargetRegistry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** {@code ibex add db} and the list of databases. */
final class Databases extends RepositoryCommand {
    private static final Set<String> DB_STATUSES = Set.of("active", "inactive");

    Databases(Supplier<Repository> repositories) {
        super(repositories);
    }

    Database addDatabase(String name, Map<String, String> given, boolean force) {
        Names.check("database", name);
        Params p = Params.of("add db", given);
        TargetProvider provider = provider(Optional.ofNullable(p.take("type", "dbtype")).orElse("postgres"));
        String dbType = provider.type();
        Map<String, String> defaults = provider.optionDefaults();
        String dbname = provider.requiredOptions().contains("dbname") ? p.require("dbname", "db", "database")
                : Optional.ofNullable(p.take("dbname", "db", "database")).orElse(defaults.get("dbname"));
        String host = Optional.ofNullable(p.take("dbhost", "host", "pghost")).orElse(defaults.get("dbhost"));
        Integer port = p.takePort("dbport", "port", "pgport");
        if (port == null && defaults.containsKey("dbport")) {
            port = Integer.valueOf(defaults.get("dbport"));
        }
        String user = Optional.ofNullable(p.take("dbuser", "user", "username", "pguser")).orElse(defaults.get("dbuser"));
        String pass = p.take("dbpass", "pass", "password");
        String status = Optional.ofNullable(p.takeChoice(DB_STATUSES, "status")).orElse("active");
        boolean makedelta = Optional.ofNullable(p.takeBool("makedelta")).orElse(false);
        String replicaFunction = p.take("replica_function");
        String replicaMode = Optional.ofNullable(p.takeChoice(Set.of("auto", "none"), "replica_mode")).orElse("auto");
        p.done();
        Database db = new Database(name, dbType, host, port == null ? 0 : port, dbname, user, pass, status, makedelta, replicaFunction);
        // normalise host, port and user the way the connection will see them
        ConnectionSpec spec = db.connection();
        db = new Database(name, dbType, spec.host(), spec.port(), dbname, spec.user(), pass, status, makedelta, replicaFunction,
                replicaMode);
        try (Repository repo = openRepository()) {
            if (repo.database(name).isPresent()) {
                throw new IbexException("a database named \"" + name + "\" already exists");
            }
            if (!force) {
                provider.checkConnection(db);
            }
            repo.addDatabase(db);
            repo.commit();
        }
        return db;
    }

    /** The type stored for a database: the name of the adapter that answers to the given type or alias. */
    private static TargetProvider provider(String given) {
        return TargetRegistry.installed().find(given).orElseThrow(() -> new IbexException(
                "add db: unknown database type \"" + given + "\": one of " + String.join(", ", TargetRegistry.installed().types())));
    }

    List<Database> databases() {
        try (Repository repo = openRepository()) {
            return repo.databases();
        }
    }
}
