package io.ibex.engine;

import io.ibex.spi.ForeignKeyOrder;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The tables of a copy, handed to its workers in order; a table whose parents (by the target's foreign keys, see
 * {@link ForeignKeyOrder}) are copied too is handed out only once their copies have committed, so that with
 * replica_mode=none a child is never loaded before its parents' rows are there. Tables of one level go in
 * parallel. A worker that fails clears the queue, so that none waits for a parent that will not come.
 */
final class CopyQueue {

    private final List<SyncPlan.Table> pending;
    private final ForeignKeyOrder order;
    private final Set<String> copying = new HashSet<>();
    private final Set<String> done = new HashSet<>();

    CopyQueue(List<SyncPlan.Table> tables, ForeignKeyOrder order) {
        this.pending = new ArrayList<>(order.parentsFirst(tables, SyncPlan.Table::info));
        this.order = order;
        tables.forEach(t -> copying.add(t.info().qualifiedName()));
    }

    /** The next table whose parents are done, waiting for them if need be; null when there is none left. */
    synchronized SyncPlan.Table take() throws InterruptedException {
        while (!pending.isEmpty()) {
            for (SyncPlan.Table t : pending) {
                if (parentsDone(t)) {
                    pending.remove(t);
                    return t;
                }
            }
            wait();
        }
        return null;
    }

    private boolean parentsDone(SyncPlan.Table t) {
        for (String parent : order.parentsOf(t.info())) {
            if (copying.contains(parent) && !done.contains(parent)) {
                return false;
            }
        }
        return true;
    }

    /** The table's copy has committed. */
    synchronized void done(SyncPlan.Table t) {
        done.add(t.info().qualifiedName());
        notifyAll();
    }

    synchronized void clear() {
        pending.clear();
        notifyAll();
    }
}
