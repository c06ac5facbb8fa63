package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.api.Ibex.TableInspection;
import io.ibex.catalog.SourceCatalog;
import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.model.Relation;
import io.ibex.repository.Repository;
import io.ibex.model.Sync;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Supplier;

import static io.ibex.api.Ibex.APP;

/** {@code ibex inspect table}: a table's shape on its database and where ibex uses it. */
final class Inspection extends RepositoryCommand {
    Inspection(Supplier<Repository> repositories) {
        super(repositories);
    }

    /** db picks the table among those of the same name on several databases; null when there is no need. */
    TableInspection inspectTable(String name, String dbName) {
        try (Repository repo = openRepository()) {
            Relation r = QualifiedName.findIn(repo, name, dbName);
            Database db = repo.requireDatabase(r.db());
            TableInfo info;
            try (Connection c = db.connection().openOrFail(APP, "database \"" + db.name() + "\"")) {
                info = r.isSequence() ? null : SourceCatalog.table(c, r.schema(), r.name()).orElse(null);
            } catch (SQLException e) {
                throw new IbexException("database \"" + db.name() + "\": " + Pg.firstLine(e));
            }
            List<String> groups = repo.relGroupsOf(r.id());
            List<String> syncs = repo.syncs().stream().filter(s -> groups.contains(s.relgroup())).map(Sync::name).toList();
            return new TableInspection(r, info, groups, syncs);
        }
    }
}
