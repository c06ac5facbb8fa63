package io.ibex.spi;

/**
 * Code of your own that a sync runs at fixed moments of its runs, Bucardo's customcode in Java. Register a class
 * with {@code ibex add customcode NAME whenrun=MOMENT class=com.example.MyCode [sync=S | relation=schema.table]
 * [priority=N]}; it needs a public no-argument constructor and must be on the daemon's class path
 * ({@code IBEX_CLASSPATH}). One instance serves a sync's worker thread until the sync's configuration changes.
 * <p>
 * The codes registered for one moment run as a chain, lowest priority number first (then by name); each returns a
 * {@link CustomCodeResult} that says how the run goes on. An exception thrown by a code counts as
 * {@link CustomCodeResult#error}.
 */
public interface CustomCode {

    /** The moments of a run (Bucardo's whenrun values). */
    enum When {
        /** A run begins, before anything is read. */
        BEFORE_SYNC,
        /** The changed tables and their key counts are known, before the changed rows are read. */
        BEFORE_CHECK_ROWS,
        /** Before a database's apply transaction begins (what a code writes is committed before it). */
        BEFORE_TXN,
        /** In a database's apply transaction, triggers and foreign keys held off, before the changes are applied. */
        BEFORE_TRIGGER_DROP,
        /** In a database's apply transaction, after the changes are applied and before the commit. */
        AFTER_TRIGGER_DROP,
        /** After a database's apply transaction committed. */
        AFTER_TXN,
        /** A run ended well, positions saved. */
        AFTER_SYNC,
        /** An apply failed and was rolled back; the code may repair rows and ask for a {@link CustomCodeResult#retry}. */
        EXCEPTION,
        /** A key changed on several sources: the strategy has chosen a winner, which the code may change. */
        CONFLICT;

        /** The name users type: before_sync, exception, ... */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    CustomCodeResult run(CustomCodeContext context) throws Exception;
}
