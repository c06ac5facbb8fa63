package io.ibex.engine;

import io.ibex.model.CustomColumns;

import java.util.Comparator;
import java.util.List;

/**
 * The tables as one target receives them: with the custom columns that fit it best ({@code ibex add customcols}:
 * one target and sync, one target, one sync, every target, in that order). A sync with several sources sends
 * every column (its rows go every way).
 */
public final class TargetTables {

    private TargetTables() {
    }

    public static SyncPlan forTarget(SyncPlan plan, List<CustomColumns> entries, String target) {
        if (entries.isEmpty() || plan.sources().size() > 1) {
            return plan;
        }
        List<SyncPlan.Table> tables = plan.tables().stream().map(t -> entries.stream()
                .filter(e -> e.relation().equals(t.info().qualifiedName()) && e.fit(plan.sync().name(), target) >= 0)
                .max(Comparator.comparingInt(e -> e.fit(plan.sync().name(), target)))
                .map(e -> new SyncPlan.Table(t.relation(), t.info().withCustomColumns(e.clause(), e.columns())))
                .orElse(t)).toList();
        return new SyncPlan(plan.sync(), plan.sources(), plan.targets(), tables, plan.sequences(), plan.customNames());
    }
}
