package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.engine.Daemon;
import io.ibex.model.CustomColumns;
import io.ibex.model.Relation;
import io.ibex.model.TableInfo;
import io.ibex.repository.Repository;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code ibex add|list|remove customcols}: the columns (or expressions over the source's columns) sent to the targets
 * for a table, as Bucardo's customcols. The source describes the list when it is added: its output columns are what
 * the targets receive and what verify compares.
 */
public final class CustomColumnsCommands extends RepositoryCommand {

    CustomColumnsCommands(Supplier<Repository> repositories) {
        super(repositories);
    }

    /** table: schema.table or a bare name; clause: "SELECT col1, expr AS col2" (or just the list); sync, db: null for any. */
    public CustomColumns add(String table, String clause, String sync, String db) {
        String list = clause.strip().replaceFirst("(?is)^select\\s+", "").strip();
        if (list.isEmpty() || list.contains(";")) {
            throw new IbexException("add customcols: give the columns as one argument, e.g. \"SELECT id, name, upper(code) AS code\"");
        }
        try (Repository repo = openRepository()) {
            Relation rel = relation(repo, table);
            if (sync != null) {
                repo.sync(sync).orElseThrow(() -> new IbexException("add customcols: no sync named \"" + sync + "\""));
            }
            if (db != null) {
                repo.database(db).orElseThrow(() -> new IbexException("add customcols: no database named \"" + db + "\""));
            }
            List<TableInfo.Column> out = describe(repo, rel, list);
            List<String> names = out.stream().map(TableInfo.Column::name).toList();
            for (String k : rel.keyColumns()) {
                if (!names.contains(k)) {
                    throw new IbexException("add customcols: the columns must include the key column " + k + " of " + rel.qualifiedName()
                            + " (rows are replaced by key)");
                }
            }
            CustomColumns e = new CustomColumns(0, rel.qualifiedName(), sync, db, list, out);
            int id = repo.customColumns().put(e);
            repo.notify(Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
            return new CustomColumns(id, e.relation(), sync, db, list, out);
        }
    }

    public List<CustomColumns> list() {
        try (Repository repo = openRepository()) {
            return repo.customColumns().list();
        }
    }

    public void remove(int id) {
        try (Repository repo = openRepository()) {
            if (!repo.customColumns().remove(id)) {
                throw new IbexException("remove customcols: no custom columns with id " + id + " (see 'ibex list customcols')");
            }
            repo.notify(Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
        }
    }

    private static Relation relation(Repository repo, String given) {
        List<Relation> found = repo.relations().stream().filter(r -> !r.isSequence())
                .filter(r -> r.qualifiedName().equals(given) || r.name().equals(given)).toList();
        if (found.isEmpty()) {
            throw new IbexException("add customcols: " + given + " is not a table ibex knows (add it with 'ibex add table')");
        }
        if (found.stream().map(Relation::qualifiedName).distinct().count() > 1) {
            throw new IbexException("add customcols: " + given + " is ambiguous: say schema.table");
        }
        if (!found.get(0).hasKey()) {
            throw new IbexException("add customcols: " + found.get(0).qualifiedName() + " has no key: custom columns need one");
        }
        return found.get(0);
    }

    /** The list's output columns and their types, as the table's source database describes them. */
    private static List<TableInfo.Column> describe(Repository repo, Relation rel, String list) {
        var source = repo.requireDatabase(rel.db());
        try (Connection c = source.connection().openOrFail(Ibex.APP, "database \"" + source.name() + "\"");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + list + " FROM ONLY " + Sql.qualified(rel.schema(), rel.name()) + " LIMIT 0")) {
            ResultSetMetaData meta = rs.getMetaData();
            List<TableInfo.Column> out = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                String name = meta.getColumnLabel(i);
                if (out.stream().anyMatch(col -> col.name().equals(name)) || "?column?".equals(name)) {
                    throw new IbexException("add customcols: column " + name + " is unnamed or named twice: name each expression with AS");
                }
                out.add(new TableInfo.Column(name, meta.getColumnTypeName(i).toLowerCase(Locale.ROOT)));
            }
            return out;
        } catch (SQLException e) {
            throw new IbexException("add customcols: database \"" + source.name() + "\" cannot read those columns of "
                    + rel.qualifiedName() + ": " + Pg.firstLine(e));
        }
    }
}
