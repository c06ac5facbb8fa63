package io.ibex.engine;

import io.ibex.model.SessionNames;
import io.ibex.model.TableInfo;
import io.ibex.model.Database;
import io.ibex.model.Relation;
import io.ibex.model.Role;
import io.ibex.model.Sync;

import java.util.List;

/** A sync resolved against its databases: what the daemon runs, and what validate checks. */
public record SyncPlan(Sync sync, List<Database> sources, List<Member> targets, List<Table> tables, List<Relation> sequences) {

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

    public String applicationName() {
        return applicationName(sync.name());
    }

    /** The application_name of the sessions that apply this sync's changes (the capture triggers skip them). */
    public static String applicationName(String sync) {
        return SessionNames.ofSync(sync);
    }
}
