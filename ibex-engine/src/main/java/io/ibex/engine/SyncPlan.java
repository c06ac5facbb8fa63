package io.ibex.engine;

import io.ibex.model.CustomName;
import io.ibex.model.SessionNames;
import io.ibex.model.TableInfo;
import io.ibex.model.Database;
import io.ibex.model.Relation;
import io.ibex.model.Role;
import io.ibex.model.Sync;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A sync resolved against its databases: what the daemon runs, and what validate checks. */
public record SyncPlan(Sync sync, List<Database> sources, List<Member> targets, List<Table> tables, List<Relation> sequences,
                       List<CustomName> customNames) {

    public SyncPlan(Sync sync, List<Database> sources, List<Member> targets, List<Table> tables, List<Relation> sequences) {
        this(sync, sources, targets, tables, sequences, List.of());
    }

    /**
     * The tables written under another name on database db (customname), by their qualified name on the source: the
     * most specific row that applies to db and this sync. None on a source: there the capture reads the table by its name.
     */
    public Map<String, CustomName> customNamesOn(String db) {
        Map<String, CustomName> names = new HashMap<>();
        if (sources.stream().anyMatch(s -> s.name().equals(db))) {
            return names;
        }
        customNames.stream().filter(n -> n.appliesTo(db, sync.name()))
                .sorted(Comparator.comparingInt(CustomName::specificity))
                .forEach(n -> names.put(n.source(), n)); // the more specific row comes later and wins
        return names;
    }

    public record Member(Database db, Role role) {
    }

    /** A replicated table: its entry in the repository and its shape on the source. */
    public record Table(Relation relation, TableInfo info) {
    }

    /**
     * The lanes a sync runs in: with one source, one lane per target, so that a target that is down or slow does
     * not hold back the others; with several sources one lane for all, since a conflict involves every database.
     */
    public static List<String> lanes(io.ibex.model.DbGroup group) {
        List<String> sources = group.dbsWithRole(Role.SOURCE);
        if (sources.size() != 1) {
            return java.util.Collections.singletonList(null);
        }
        return group.members().stream().filter(m -> m.role() != Role.SOURCE).map(io.ibex.model.DbGroup.Member::db).toList();
    }

    /** The inactive databases among the lane's: its sources, and its target (every database for lane null). */
    public List<String> inactiveDatabases(String lane) {
        List<String> out = new java.util.ArrayList<>();
        sources().stream().filter(d -> !d.active()).forEach(d -> out.add(d.name()));
        targets().stream().map(SyncPlan.Member::db).filter(d -> !d.active() && (lane == null || lane.equals(d.name())))
                .forEach(d -> out.add(d.name()));
        return out;
    }

    public String applicationName() {
        return applicationName(sync.name());
    }

    /** The application_name of the sessions that apply this sync's changes (the capture triggers skip them). */
    public static String applicationName(String sync) {
        return SessionNames.ofSync(sync);
    }
}
