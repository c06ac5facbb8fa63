package io.ibex.engine;

import io.ibex.model.Database;
import io.ibex.spi.Target;
import io.ibex.spi.TargetRegistry;

/** Opens the adapter for a target database, found by the database's type among the installed ones. */
public final class Targets {
    private Targets() {
    }

    public static Target open(Database db, String applicationName) {
        return TargetRegistry.installed().require(db).open(db, applicationName);
    }
}
