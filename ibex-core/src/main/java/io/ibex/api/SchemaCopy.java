package io.ibex.api;

import io.ibex.engine.SyncPlan;
import io.ibex.engine.SyncPlanner;
import io.ibex.engine.TableCreator;
import io.ibex.engine.Targets;
import io.ibex.model.Role;
import io.ibex.repository.Repository;
import io.ibex.spi.SchemaScript;
import io.ibex.spi.Target;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code ibex copy schema SYNC [--dry-run]}: the tables and sequences of a sync that each of its targets lacks, created
 * from the source's catalog (the statements create_tables runs at a copy, foreign keys included since no rows follow),
 * or only printed.
 */
final class SchemaCopy extends RepositoryCommand {

    SchemaCopy(Supplier<Repository> repositories) {
        super(repositories);
    }

    List<TargetSchema> copy(String syncName, boolean dryRun) {
        SyncPlan plan;
        try (Repository repo = openRepository()) {
            plan = SyncPlanner.plan(repo, repo.requireSync(syncName));
        }
        if (plan.sources().size() != 1) {
            throw new io.ibex.IbexException("copy schema: sync \"" + syncName + "\" has several sources, which must hold the same tables already");
        }
        List<TargetSchema> out = new ArrayList<>();
        for (SyncPlan.Member m : plan.targets()) {
            if (m.role() == Role.SOURCE) {
                continue;
            }
            try (Target target = Targets.open(plan, m.db())) {
                if (TableCreator.fromMapping(m.db())) {
                    List<String> statements = TableCreator.mappedScript(plan, target);
                    if (!dryRun && !statements.isEmpty()) {
                        target.runSchema(statements);
                    }
                    out.add(new TargetSchema(m.db().name(), statements.size(), 0, statements));
                    continue;
                }
                TableCreator.Missing missing = TableCreator.missing(plan, target);
                SchemaScript script = TableCreator.script(plan, missing);
                if (!dryRun && !script.isEmpty()) {
                    target.runSchema(script.all());
                }
                out.add(new TargetSchema(m.db().name(), missing.tables().size(), missing.sequences().size(), script.all()));
            }
        }
        return out;
    }
}
