package io.ibex.cli;

import io.ibex.api.Ibex;
import io.ibex.model.CustomName;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.RelGroup;
import io.ibex.model.Relation;
import io.ibex.model.Sync;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code list ... -v} (Bucardo's verbose list) adds under each object: where it is used. A database: its
 * dbgroups and table count; a table: its relgroups, syncs and custom names; a relgroup or dbgroup: its syncs; a sync:
 * its databases with their roles and its tables.
 */
final class ListDetails {
    private final Ibex ibex;
    private final List<Sync> syncs;
    private final List<RelGroup> relGroups;
    private final List<DbGroup> dbGroups;

    ListDetails(Ibex ibex) {
        this.ibex = ibex;
        this.syncs = ibex.syncs();
        this.relGroups = ibex.relGroups();
        this.dbGroups = ibex.dbGroups();
    }

    List<String> of(Database d) {
        List<String> groups = dbGroups.stream().flatMap(g -> g.members().stream().filter(m -> m.db().equals(d.name()))
                .map(m -> g.name() + ":" + m.role().label())).toList();
        long tables = ibex.relations().stream().filter(r -> r.db().equals(d.name())).count();
        return List.of("  Dbgroups: " + none(groups), "  Tables and sequences: " + tables);
    }

    List<String> of(Relation r) {
        List<String> groups = relGroups.stream().filter(g -> g.members().stream().anyMatch(m -> m.id() == r.id())).map(RelGroup::name).toList();
        List<String> out = new ArrayList<>();
        out.add("  Relgroups: " + none(groups));
        out.add("  Syncs: " + none(syncs.stream().filter(s -> groups.contains(s.relgroup())).map(Sync::name).toList()));
        for (CustomName n : ibex.customNames().list()) {
            if (n.relation() == r.id()) {
                out.add("  Custom name: " + n.qualifiedName() + " (customname " + n.id() + ", db: "
                        + (n.db() == null ? "every target" : n.db()) + ", sync: " + (n.sync() == null ? "every sync" : n.sync()) + ")");
            }
        }
        return out;
    }

    List<String> of(RelGroup g) {
        return List.of("  Syncs: " + none(syncs.stream().filter(s -> s.relgroup().equals(g.name())).map(Sync::name).toList()));
    }

    List<String> of(DbGroup g) {
        return List.of("  Syncs: " + none(syncs.stream().filter(s -> s.dbgroup().equals(g.name())).map(Sync::name).toList()));
    }

    List<String> of(Sync s) {
        List<String> dbs = dbGroups.stream().filter(g -> g.name().equals(s.dbgroup())).flatMap(g -> g.members().stream())
                .map(DbGroup.Member::toString).toList();
        List<String> tables = relGroups.stream().filter(g -> g.name().equals(s.relgroup())).flatMap(g -> g.members().stream())
                .map(Relation::qualifiedName).toList();
        return List.of("  Databases: " + none(dbs), "  Tables: " + none(tables));
    }

    private static String none(List<String> items) {
        return items.isEmpty() ? "none" : String.join(", ", items);
    }
}
