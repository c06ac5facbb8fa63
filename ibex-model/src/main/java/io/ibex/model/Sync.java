package io.ibex.model;

/** A relgroup replicated across a dbgroup, with its options ({@code ibex add sync}). */
public record Sync(String name, String relgroup, String dbgroup, String status, boolean paused, boolean autokick,
                   Integer checktimeSeconds, int onetimecopy, boolean stayalive, boolean kidsalive,
                   String conflictStrategy, String deletemethod, boolean analyzeAfterCopy, int rebuildIndex) {

    public boolean active() {
        return "active".equals(status);
    }
}
