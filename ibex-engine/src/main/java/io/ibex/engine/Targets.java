package io.ibex.engine;

import io.ibex.model.CustomName;
import io.ibex.model.Database;
import io.ibex.spi.Target;
import io.ibex.spi.TargetRegistry;

import java.util.Map;

/** Opens the adapter for a target database, found by the database's type among the installed ones. */
public final class Targets {
    private Targets() {
    }

    public static Target open(Database db, String applicationName) {
        return TargetRegistry.installed().require(db).open(db, applicationName);
    }

    /** The adapter for a database of the plan, writing the tables a customname renames there under their new names. */
    public static Target open(SyncPlan plan, Database db) {
        Target t = open(db, plan.applicationName());
        Map<String, CustomName> names = plan.customNamesOn(db.name());
        return names.isEmpty() ? t : new RenamingTarget(t, names);
    }
}
