package io.ibex.model;

/** A relgroup replicated across a dbgroup, with its options ({@code ibex add sync}). */
public record Sync(String name, String relgroup, String dbgroup, String status, boolean paused, boolean autokick,
                   Integer checktimeSeconds, int onetimecopy, boolean stayalive, boolean kidsalive,
                   String conflictStrategy, String deletemethod, boolean analyzeAfterCopy, int rebuildIndex, String ddl) {

    /** ddl: what a column added on a source does, auto (followed on the targets) or hold (README, "Schema changes"). */
    public Sync(String name, String relgroup, String dbgroup, String status, boolean paused, boolean autokick, Integer checktimeSeconds,
                int onetimecopy, boolean stayalive, boolean kidsalive, String conflictStrategy, String deletemethod, boolean analyzeAfterCopy,
                int rebuildIndex) {
        this(name, relgroup, dbgroup, status, paused, autokick, checktimeSeconds, onetimecopy, stayalive, kidsalive, conflictStrategy,
                deletemethod, analyzeAfterCopy, rebuildIndex, "auto");
    }

    public boolean active() {
        return "active".equals(status);
    }
}
