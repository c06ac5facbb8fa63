package io.ibex.capture;

import io.ibex.db.Pg;
import io.ibex.spi.ActivityWatch;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The trigger capture's sign of activity: the capture triggers advance the sequence {@link CaptureInstaller#ACTIVITY}.
 * A new value means a transaction wrote changes, but it may not have committed yet. So after a new value the watch
 * takes a fence (a txid of its own, in a transaction that ends at once) and then a snapshot: every writer that
 * advanced the sequence before the value was read had its txid before the fence, and since the fence has ended, such
 * a writer is either visible in that snapshot or listed in it as in progress. (A snapshot does not list transactions
 * with txids at or above its xmax, which is why the fence is needed.) The writers in progress are kept, and each
 * that ends counts as a change again. A change may be reported for a transaction that changed nothing ibex captures.
 */
final class TriggerActivityWatch implements ActivityWatch {

    private final Connection c;
    private final ActivityPoll poll;
    private Long last;
    private final Set<Long> pending = new HashSet<>();

    TriggerActivityWatch(Connection c) throws SQLException {
        this.c = c;
        this.poll = new ActivityPoll(c);
    }

    @Override
    public Activity look() throws SQLException {
        Long value = poll.read();
        boolean changed = false;
        if (value != null && !value.equals(last)) {
            changed = last != null;
            last = value;
            long fence = Pg.queryLong(c, "SELECT txid_current()");
            TxidProgress p = TxidProgress.read(c);
            for (long x : p.inProgress()) {
                if (x < fence) {
                    pending.add(x);
                }
            }
            changed |= pending.removeIf(p::ended);
        } else if (!pending.isEmpty()) {
            TxidProgress p = TxidProgress.read(c);
            changed = pending.removeIf(p::ended);
        }
        if (value == null && legacyCapture()) {
            changed = true; // captured by an ibex that kicked with NOTIFY: no sequence to watch, so every look counts
        }
        return new Activity(value != null, changed);
    }

    /** Whether the source has ibex's capture schema but not the activity sequence (installed by an older ibex). */
    private boolean legacyCapture() throws SQLException {
        return Pg.exists(c, "SELECT 1 FROM pg_namespace WHERE nspname = ?", CaptureInstaller.SCHEMA);
    }

    @Override
    public void close() throws SQLException {
        poll.close();
    }
}
