package io.ibex.api;

import io.ibex.repository.Repository;

/**
 * The per-table settings that {@code add table} takes as {@code update table} does (Bucardo's per-goat columns):
 * autokick, makedelta, rebuild_index and analyze_after_copy; null where not given (the sync's value applies).
 */
record RelationSettings(Boolean autokick, Boolean makedelta, Integer rebuildIndex, Boolean analyzeAfterCopy) {

    static RelationSettings take(Params p) {
        return new RelationSettings(p.takeBool("autokick"), p.takeBool("makedelta"), p.takeInt("rebuild_index"),
                p.takeBool("analyze_after_copy"));
    }

    void store(Repository repo, long relationId) {
        if (autokick != null) {
            repo.updateRelation(relationId, "autokick", autokick);
        }
        if (makedelta != null) {
            repo.updateRelation(relationId, "makedelta", makedelta);
        }
        if (rebuildIndex != null) {
            repo.updateRelation(relationId, "rebuild_index", rebuildIndex);
        }
        if (analyzeAfterCopy != null) {
            repo.updateRelation(relationId, "analyze_after_copy", analyzeAfterCopy);
        }
    }
}
