package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.model.Database;
import io.ibex.repository.Repository;
import io.ibex.spi.TargetProvider;
import io.ibex.spi.TargetRegistry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import static io.ibex.api.Ibex.APP;

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
        String dbname = provider.needsDbname() ? p.require("dbname", "db", "database") : p.take("dbname", "db", "database");
        String host = p.take("dbhost", "host", "pghost");
        Integer port = p.takePort("dbport", "port", "pgport");
        String user = p.take("dbuser", "user", "username", "pguser");
        String pass = p.take("dbpass", "pass", "password");
        String status = Optional.ofNullable(p.takeChoice(DB_STATUSES, "status")).orElse("active");
        boolean makedelta = Optional.ofNullable(p.takeBool("makedelta")).orElse(false);
        String replicaFunction = p.take("replica_function");
        String replicaMode = Optional.ofNullable(p.takeChoice(Set.of("auto", "none"), "replica_mode")).orElse("auto");
        Map<String, String> options = new TreeMap<>();
        for (String option : provider.options()) {
            Optional.ofNullable(p.take(option)).ifPresent(v -> options.put(option, v));
        }
        p.done();
        Database db = provider.completed(new Database(name, provider.type(), host, port == null ? 0 : port, dbname, user, pass,
                status, makedelta, replicaFunction, replicaMode, options));
        try (Repository repo = openRepository()) {
            if (repo.database(name).isPresent()) {
                throw new IbexException("a database named \"" + name + "\" already exists");
            }
            if (!force) {
                provider.checkConnection(db, APP);
            }
            repo.addDatabase(db);
            repo.commit();
        }
        return db;
    }

    /** The adapter that answers to the given type or alias. */
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
