package io.ibex.model;

/**
 * A registered custom code ({@code ibex add customcode}): the class run at one moment of the runs of one sync
 * (sync set), of the syncs that replicate one table (relation set, schema.table), or of every sync (neither).
 */
public record CustomCodeEntry(String name, String whenrun, String className, String sync, String relation, int priority) {
}
