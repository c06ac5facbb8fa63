package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.RelGroup;
import io.ibex.model.Relation;
import io.ibex.repository.Repository;
import io.ibex.model.Role;
import io.ibex.model.Sync;
import io.ibex.spi.ChangeSource;
import io.ibex.spi.ChangeSources;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code ibex remove TYPE NAME [--force]}. An object that others depend on is removed only with --force, which
 * removes the dependents too. Removing a sync removes the capture that no remaining sync needs.
 */
final class Removal {
    private final Repository repo;
    private final boolean force;

    Removal(Repository repo, boolean force) {
        this.repo = repo;
        this.force = force;
    }

    void remove(String type, String name) {
        remove(type, name, null);
    }

    /** db chooses among tables of the same name on several databases; null when there is no need. */
    void remove(String type, String name, String db) {
        if (db != null && ObjectType.parse(type) != ObjectType.TABLE && ObjectType.parse(type) != ObjectType.SEQUENCE) {
            throw new IbexException("remove " + type + ": db= applies to tables and sequences only");
        }
        switch (ObjectType.parse(type)) {
            case SYNC -> removeSync(repo.requireSync(name));
            case DB -> removeDatabase(repo.requireDatabase(name));
            case RELGROUP -> removeRelGroup(repo.requireRelGroup(name));
            case DBGROUP -> removeDbGroup(repo.requireDbGroup(name));
            case TABLE, SEQUENCE -> {
                if (name.equalsIgnoreCase("all")) { // Bucardo's 'remove table all': every one (of db), in this one transaction
                    boolean sequences = ObjectType.parse(type) == ObjectType.SEQUENCE;
                    repo.relations().stream().filter(r -> r.isSequence() == sequences && (db == null || r.db().equals(db)))
                            .forEach(this::removeRelation);
                } else {
                    removeRelation(QualifiedName.findIn(repo, name, db));
                }
            }
            default -> throw new IbexException("remove: cannot remove a " + type);
        }
    }

    private void removeSync(Sync s) {
        Set<Long> stillNeeded = new HashSet<>();
        DbGroup group = repo.requireDbGroup(s.dbgroup());
        List<String> sources = group.dbsWithRole(Role.SOURCE);
        for (Sync other : repo.syncs()) {
            if (!other.name().equals(s.name())) {
                repo.requireRelGroup(other.relgroup()).members().forEach(r -> stillNeeded.add(r.id()));
            }
        }
        List<Relation> tables = repo.requireRelGroup(s.relgroup()).members();
        for (String dbName : sources) {
            Database db = repo.requireDatabase(dbName);
            List<Relation> drop = tables.stream().filter(r -> !stillNeeded.contains(r.id()) && !r.isSequence()).toList();
            if (drop.isEmpty()) {
                continue;
            }
            ChangeSource capture = ChangeSources.of(db);
            try (Connection c = db.connection().open(Ibex.APP)) {
                c.setAutoCommit(false);
                for (Relation r : drop) {
                    capture.remove(c, r.schema(), r.name());
                }
                capture.removeUnusedInfrastructure(c);
                c.commit();
            } catch (SQLException e) {
                if (!force) {
                    throw new IbexException("cannot remove capture from database \"" + dbName + "\": " + Pg.firstLine(e)
                            + " (with --force the sync is removed anyway, and the capture stays on that database)");
                }
            }
        }
        repo.removeSync(s.name());
    }

    private void removeDatabase(Database db) {
        List<Sync> using = repo.syncs().stream()
                .filter(s -> repo.requireDbGroup(s.dbgroup()).members().stream().anyMatch(m -> m.db().equals(db.name()))).toList();
        List<DbGroup> groups = repo.dbGroups().stream().filter(g -> g.members().stream().anyMatch(m -> m.db().equals(db.name()))).toList();
        List<Relation> relations = repo.relations().stream().filter(r -> r.db().equals(db.name())).toList();
        if (!force && (!using.isEmpty() || !groups.isEmpty() || !relations.isEmpty())) {
            throw new IbexException("database \"" + db.name() + "\" is used by " + describe(using.size(), "sync") + ", "
                    + describe(groups.size(), "dbgroup") + " and " + describe(relations.size(), "table")
                    + ": remove those first, or use --force to remove them with it");
        }
        for (Sync s : using) {
            removeSync(s);
        }
        for (DbGroup g : groups) {
            repo.removeDbGroup(g.name());
        }
        for (Relation r : relations) {
            repo.removeRelation(r.id());
        }
        repo.removeDatabase(db.name());
    }

    private void removeRelGroup(RelGroup g) {
        List<Sync> using = repo.syncs().stream().filter(s -> s.relgroup().equals(g.name())).toList();
        if (!using.isEmpty() && !force) {
            throw new IbexException("relgroup \"" + g.name() + "\" is used by sync " + names(using) + ": remove it first, or use --force");
        }
        for (Sync s : using) {
            removeSync(s);
        }
        repo.removeRelGroup(g.name());
    }

    private void removeDbGroup(DbGroup g) {
        List<Sync> using = repo.syncs().stream().filter(s -> s.dbgroup().equals(g.name())).toList();
        if (!using.isEmpty() && !force) {
            throw new IbexException("dbgroup \"" + g.name() + "\" is used by sync " + names(using) + ": remove it first, or use --force");
        }
        for (Sync s : using) {
            removeSync(s);
        }
        repo.removeDbGroup(g.name());
    }

    private void removeRelation(Relation r) {
        List<String> groups = repo.relGroupsOf(r.id());
        List<Sync> using = repo.syncs().stream().filter(s -> groups.contains(s.relgroup())).toList();
        if (!using.isEmpty() && !force) {
            throw new IbexException("table " + r.qualifiedName() + " is replicated by sync " + names(using)
                    + ": remove it from the relgroup's syncs first, or use --force to remove those syncs");
        }
        for (Sync s : using) {
            removeSync(s);
        }
        repo.removeRelation(r.id());
    }

    private static String names(List<Sync> syncs) {
        return String.join(", ", syncs.stream().map(s -> "\"" + s.name() + "\"").toList());
    }

    private static String describe(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
