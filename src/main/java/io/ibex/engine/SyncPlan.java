package io.ibex.engine;

import io.ibex.capture.TableInfo;
import io.ibex.repository.Database;
import io.ibex.repository.Relation;
import io.ibex.repository.Role;
import io.ibex.repository.Sync;

import java.util.List;

/** A sync resolved against its databases: what the daemon runs, and what validate checks. */
public record SyncPlan(Sync sync, List<Database> sources, List<Member> targets, List<Table> tables) {

    public record Member(Database db, Role role) {
    }

    /** A replicated table: its entry in the repository and its shape on the source. */
    public record Table(Relation relation, TableInfo info) {
    }

    public String applicationName() {
        return applicationName(sync.name());
    }

    /** The application_name of the sessions that apply this sync's changes (the capture triggers skip them). */
    public static String applicationName(String sync) {
        return io.ibex.capture.CaptureInstaller.APPLICATION_PREFIX + sync;
    }
}
