package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.engine.Daemon;
import io.ibex.model.CustomName;
import io.ibex.model.Relation;
import io.ibex.repository.Repository;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code ibex add|list|remove customname}, Bucardo's grammar: {@code add customname schema.table NEWNAME [db=DB]
 * [sync=S]}. The table is written as NEWNAME (schema.name, or a name in the source's schema) on the databases that
 * receive it: every one, or db; in every sync, or sync. A running daemon is told at once.
 */
public final class CustomNameCommands extends RepositoryCommand {

    CustomNameCommands(Supplier<Repository> repositories) {
        super(repositories);
    }

    public CustomName add(String table, String newName, Map<String, String> given) {
        Params p = Params.of("add customname", given);
        String db = p.take("db", "database");
        String sync = p.take("sync");
        p.done();
        QualifiedName q = QualifiedName.parse(newName);
        if (q.name().isBlank() || q.name().contains("%") || q.schema() != null && (q.schema().isBlank() || q.schema().contains("%"))) {
            throw new IbexException("add customname: \"" + newName + "\" is not a table name (give name or schema.name)");
        }
        try (Repository repo = openRepository()) {
            Relation r = QualifiedName.findIn(repo, table);
            if (r.isSequence()) {
                throw new IbexException("add customname: " + r.qualifiedName() + " is a sequence: only tables can be renamed on a target");
            }
            if (db != null) {
                repo.requireDatabase(db);
            }
            if (sync != null) {
                repo.requireSync(sync);
            }
            String schema = q.schema() != null ? q.schema() : r.schema();
            boolean taken = repo.customNames().all().stream().anyMatch(n -> n.relation() == r.id()
                    && java.util.Objects.equals(n.db(), db) && java.util.Objects.equals(n.sync(), sync));
            if (taken) {
                throw new IbexException("add customname: " + r.qualifiedName() + " already has a custom name" + scope(db, sync)
                        + ": remove it first (see 'ibex list customname')");
            }
            long id = repo.customNames().add(r.id(), db, sync, schema, q.name());
            repo.notify(Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
            return new CustomName(id, r.id(), r.qualifiedName(), db, sync, schema, q.name());
        }
    }

    public List<CustomName> list() {
        try (Repository repo = openRepository()) {
            return repo.customNames().all();
        }
    }

    /** Removes the customname of this id (as {@code list customname} shows it), or every one for "all". */
    public List<CustomName> remove(String idOrAll) {
        try (Repository repo = openRepository()) {
            List<CustomName> all = repo.customNames().all();
            List<CustomName> gone = idOrAll.equalsIgnoreCase("all") ? all
                    : all.stream().filter(n -> String.valueOf(n.id()).equals(idOrAll.strip())).toList();
            if (gone.isEmpty() && !idOrAll.equalsIgnoreCase("all")) {
                throw new IbexException("there is no customname with id \"" + idOrAll + "\" (see 'ibex list customname')");
            }
            gone.forEach(n -> repo.customNames().remove(n.id()));
            repo.notify(Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
            return gone;
        }
    }

    /** " on database X in sync Y", as far as the row is scoped. */
    public static String scope(String db, String sync) {
        return (db == null ? " on every target" : " on database \"" + db + "\"") + (sync == null ? "" : " in sync \"" + sync + "\"");
    }
}
