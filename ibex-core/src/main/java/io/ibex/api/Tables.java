package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.api.Ibex.AddTablesResult;
import io.ibex.api.Ibex.TableFilter;
import io.ibex.catalog.SourceCatalog;
import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.engine.Daemon;
import io.ibex.model.Database;
import io.ibex.model.RelGroup;
import io.ibex.model.Relation;
import io.ibex.repository.Repository;
import io.ibex.model.Sync;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static io.ibex.engine.CaptureSetup.install;
import static io.ibex.api.Ibex.APP;

/**
 * {@code ibex add table|sequence}, {@code add all tables|sequences} and {@code add relgroup}: relations found on
 * their database, recorded with their keys, and put in a relgroup; and the lists of relations and relgroups.
 */
final class Tables extends RepositoryCommand {
    Tables(Supplier<Repository> repositories) {
        super(repositories);
    }

    AddTablesResult addTables(List<String> patterns, Map<String, String> given, boolean sequences) {
        Params p = Params.of(sequences ? "add sequence" : "add table", given);
        String dbName = p.take("db", "database");
        String relgroup = p.take("relgroup", "herd");
        boolean pkOnly = p.take("pkonly") != null;
        RelationSettings settings = RelationSettings.take(p);
        p.done();
        if (patterns.isEmpty()) {
            throw new IbexException((sequences ? "add sequence" : "add table") + ": name at least one " + (sequences ? "sequence" : "table"));
        }
        return addRelations(dbName, relgroup, sequences, settings, c -> {
            List<SourceCatalog.Rel> found = new ArrayList<>();
            for (String pattern : patterns) {
                QualifiedName q = QualifiedName.parse(pattern);
                List<SourceCatalog.Rel> m = SourceCatalog.find(c, q.schema(), q.name(), sequences);
                if (m.isEmpty()) {
                    throw new IbexException("no " + (sequences ? "sequence" : "table") + " matches \"" + pattern + "\"");
                }
                for (SourceCatalog.Rel r : m) {
                    if (!pkOnly || sequences || !SourceCatalog.key(c, r.schema(), r.name()).isEmpty()) {
                        found.add(r);
                    }
                }
            }
            return found;
        });
    }

    /** Whether the pattern names no table but a sequence on database dbName (any database when it is the only one). */
    boolean namesOnlySequences(String dbName, String pattern) {
        try (Repository repo = openRepository()) {
            Database db = dbName != null ? repo.requireDatabase(dbName) : onlyDatabase(repo);
            QualifiedName q = QualifiedName.parse(pattern);
            try (Connection c = db.connection().openOrFail(APP, "database \"" + db.name() + "\"")) {
                return SourceCatalog.find(c, q.schema(), q.name(), false).isEmpty() && !SourceCatalog.find(c, q.schema(), q.name(), true).isEmpty();
            } catch (SQLException e) {
                throw new IbexException("database \"" + db.name() + "\": " + Pg.firstLine(e));
            }
        }
    }

    AddTablesResult addAllTables(Map<String, String> given, TableFilter filter, boolean sequences) {
        Params p = Params.of(sequences ? "add all sequences" : "add all tables", given);
        String dbName = p.take("db", "database");
        String relgroup = p.take("relgroup", "herd");
        boolean pkOnly = p.take("pkonly") != null | filter.pkOnly();
        RelationSettings settings = RelationSettings.take(p);
        p.done();
        return addRelations(dbName, relgroup, sequences, settings, c -> {
            List<SourceCatalog.Rel> found = new ArrayList<>();
            for (SourceCatalog.Rel r : SourceCatalog.find(c, null, "%", sequences)) {
                if (matchesAny(filter.schemas(), r.schema(), true) && !matchesAny(filter.excludeSchemas(), r.schema(), false)
                        && matchesAny(filter.tables(), r.name(), true) && !matchesAny(filter.excludeTables(), r.name(), false)
                        && (!pkOnly || sequences || !SourceCatalog.key(c, r.schema(), r.name()).isEmpty())) {
                    found.add(r);
                }
            }
            return found;
        });
    }

    private static boolean matchesAny(List<String> patterns, String value, boolean whenEmpty) {
        if (patterns.isEmpty()) {
            return whenEmpty;
        }
        return patterns.stream().anyMatch(pt -> value.matches(QualifiedName.likeToRegex(pt)));
    }

    interface Finder {
        List<SourceCatalog.Rel> find(Connection c) throws SQLException;
    }

    private AddTablesResult addRelations(String dbName, String relgroup, boolean sequences, RelationSettings settings, Finder finder) {
        if (relgroup != null) {
            Names.check("relgroup", relgroup);
        }
        try (Repository repo = openRepository()) {
            Database db = dbName != null ? repo.requireDatabase(dbName) : onlyDatabase(repo);
            if (io.ibex.spi.TargetRegistry.installed().find(db.type()).map(t -> !t.can(io.ibex.spi.TargetCapability.SOURCE)).orElse(false)) {
                throw new IbexException("database \"" + db.name() + "\" is of type " + db.type()
                        + ", which can only be a target: add the tables from the source database (db=SOURCE)");
            }
            List<Relation> added = new ArrayList<>();
            List<Relation> known = new ArrayList<>();
            try (Connection c = db.connection().openOrFail(APP, "database \"" + db.name() + "\"")) {
                Map<String, SourceCatalog.Rel> unique = new LinkedHashMap<>();
                for (SourceCatalog.Rel r : finder.find(c)) {
                    unique.put(r.schema() + "." + r.name(), r);
                }
                for (SourceCatalog.Rel r : unique.values()) {
                    Optional<Relation> existing = repo.relation(db.name(), r.schema(), r.name());
                    if (existing.isPresent()) {
                        known.add(existing.get());
                        continue;
                    }
                    List<TableInfo.Column> key = sequences ? List.of() : SourceCatalog.key(c, r.schema(), r.name());
                    Relation rel = new Relation(0, db.name(), r.schema(), r.name(), sequences ? "sequence" : "table",
                            key.stream().map(TableInfo.Column::name).toList(), key.stream().map(TableInfo.Column::type).toList(),
                            null, null, null, null);
                    long id = repo.addRelation(rel);
                    added.add(new Relation(id, rel.db(), rel.schema(), rel.name(), rel.type(), rel.keyColumns(), rel.keyTypes(),
                            null, null, null, null));
                }
            } catch (SQLException e) {
                throw new IbexException("database \"" + db.name() + "\": " + Pg.firstLine(e));
            }
            added.forEach(r -> settings.store(repo, r.id()));
            known.forEach(r -> settings.store(repo, r.id()));
            boolean created = false;
            if (relgroup != null) {
                created = ensureRelGroup(repo, relgroup);
                for (Relation r : added) {
                    repo.addToRelGroup(relgroup, r.id());
                }
                for (Relation r : known) {
                    repo.addToRelGroup(relgroup, r.id());
                }
                // a relgroup that syncs replicate (active or not): capture the new tables now, so their changes flow from here
                for (Sync s : repo.syncs()) {
                    if (s.relgroup().equals(relgroup)) {
                        install(repo, s);
                    }
                }
                repo.notify(Daemon.CONTROL_CHANNEL, "reload");
            }
            repo.commit();
            return new AddTablesResult(relgroup, created, added, known);
        }
    }

    private static boolean ensureRelGroup(Repository repo, String name) {
        if (repo.relGroupExists(name)) {
            return false;
        }
        repo.createRelGroup(name);
        return true;
    }

    private static Database onlyDatabase(Repository repo) {
        List<Database> all = repo.databases();
        if (all.size() == 1) {
            return all.get(0);
        }
        throw new IbexException(all.isEmpty() ? "no database has been added yet: run 'ibex add db NAME dbname=...' first"
                : "say which database the tables are in: db=NAME (one of " + String.join(", ", all.stream().map(Database::name).toList()) + ")");
    }

    /** {@code add relgroup NAME [table ...]}: members are tables already added, or tables of db= to add now. */
    AddTablesResult addRelGroup(String name, List<String> members, Map<String, String> given) {
        Names.check("relgroup", name);
        try (Repository repo = openRepository()) {
            if (repo.relGroupExists(name)) {
                throw new IbexException("a relgroup named \"" + name + "\" already exists");
            }
        }
        if (members.isEmpty()) {
            Params.of("add relgroup", given).done();
            try (Repository repo = openRepository()) {
                repo.createRelGroup(name);
                repo.commit();
            }
            return new AddTablesResult(name, true, List.of(), List.of());
        }
        Map<String, String> withGroup = new LinkedHashMap<>(given);
        withGroup.put("relgroup", name);
        String db = withGroup.getOrDefault("db", withGroup.get("database"));
        List<String> sequences = members.stream().filter(m -> namesOnlySequences(db, m)).toList();
        List<String> tablesNamed = members.stream().filter(m -> !sequences.contains(m)).toList();
        AddTablesResult t = tablesNamed.isEmpty() ? null : addTables(tablesNamed, withGroup, false);
        if (sequences.isEmpty()) {
            return t;
        }
        AddTablesResult s = addTables(sequences, withGroup, true);
        if (t == null) {
            return s;
        }
        List<Relation> added = new ArrayList<>(t.added());
        added.addAll(s.added());
        List<Relation> known = new ArrayList<>(t.alreadyKnown());
        known.addAll(s.alreadyKnown());
        return new AddTablesResult(name, true, added, known);
    }

    List<Relation> relations() {
        try (Repository repo = openRepository()) {
            return repo.relations();
        }
    }

    List<RelGroup> relGroups() {
        try (Repository repo = openRepository()) {
            return repo.relGroups();
        }
    }
}
