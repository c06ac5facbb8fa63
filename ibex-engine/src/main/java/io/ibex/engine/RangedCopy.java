package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.model.KeyRange;
import io.ibex.model.TableInfo;
import io.ibex.repository.CopyRanges;
import io.ibex.spi.ChangeReader;
import io.ibex.spi.ChangeWindow;
import io.ibex.spi.ChangeSources;
import io.ibex.spi.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One big table of an onetimecopy (more than copy_split_rows rows) copied in ranges of blocks or of its single
 * integer key (see {@link #ranges}) by up to copy_parallelism workers reading the one shared snapshot; each range is
 * its own target transaction, recorded in the {@link CopyLedger} once it has begun (started, with its id) and after
 * it commits (done), so that a copy cut short resumes with the ranges not done. The table is emptied once, when its ranges are first recorded. Indexes stay as they are (a
 * table ibex created has none yet: they come after the rows, see TableCreator).
 */
final class RangedCopy {

    private static final Logger log = LoggerFactory.getLogger(RangedCopy.class);

    private final SyncPlan plan;
    private final Database source;
    private final Database target;
    private final CopyLedger ledger;
    private final int parallelism;
    /** A worker's own target session, fenced (see SyncRunner#workerTarget). */
    private final java.util.function.Supplier<Target> workerTarget;

    RangedCopy(SyncPlan plan, Database source, Database target, CopyLedger ledger, int parallelism,
               java.util.function.Supplier<Target> workerTarget) {
        this.workerTarget = workerTarget;
        this.plan = plan;
        this.source = source;
        this.target = target;
        this.ledger = ledger;
        this.parallelism = parallelism;
    }

    /**
     * How many ranges a table of about estimate rows is cut into: ranges of about splitRows rows, and at least two per
     * worker so that the workers stay busy to the end. Each range costs a source snapshot, a target transaction and
     * its commit, and two repository commits: measured on pgbench_accounts (3M rows, PostgreSQL 15, 2 CPUs), 12
     * ranges of 250,000 rows took 5.0-5.3 s and 3 (now 4) of a million 4.5-4.8 s, one stream 4.1-4.4 s.
     */
    static long pieces(long estimate, int splitRows, int workers) {
        long bySize = (estimate + splitRows - 1) / Math.max(1, splitRows);
        return Math.max(2L * Math.max(1, workers), bySize);
    }

    /**
     * The table's ranges, recorded before (resumed) or split now ({@link #pieces} of them by the estimate): of the
     * source's blocks where the source reads block ranges (PostgreSQL 14+: TID range scans, each a sequential read of
     * its part of the table, whatever the key) and the target tells whether a transaction committed (a range cut
     * short is then settled without deleting anything); else of equal widths of the single integer key's span in
     * the snapshot. Null when the table is not copied in ranges.
     */
    static List<CopyRanges.Range> ranges(ChangeReader session, TableInfo t, long estimate, int splitRows, int workers, CopyLedger ledger,
                                         Target laneTarget, String deletemethod) throws SQLException {
        String name = t.qualifiedName();
        List<CopyRanges.Range> known = ledger.ranges(name);
        if (!known.isEmpty()) {
            return known;
        }
        if (estimate <= splitRows) {
            return null;
        }
        long pieces = pieces(estimate, splitRows, workers);
        long blocks = laneTarget.tellsCommitted() ? session.blocks(t) : -1;
        String unit;
        long[] bounds;
        if (blocks > 0) {
            unit = "block";
            bounds = new long[] {0, blocks - 1};
        } else {
            unit = "key";
            bounds = session.integerKeyBounds(t);
            if (bounds == null) {
                return null;
            }
        }
        long span = bounds[1] - bounds[0] + 1;
        long width = Math.max(1, (span + pieces - 1) / pieces);
        List<long[]> split = new ArrayList<>();
        for (long lo = bounds[0]; lo <= bounds[1]; lo += width) {
            split.add(new long[] {lo, Math.min(bounds[1], lo + width - 1)});
            if (lo > Long.MAX_VALUE - width) {
                break;
            }
        }
        laneTarget.begin();
        laneTarget.empty(t, deletemethod);
        laneTarget.commit();
        ledger.addRanges(name, unit, split);
        return ledger.ranges(name);
    }

    /** Copies the ranges not done; progress (TableCopier's) gets the rows [0] and bytes [3] of this attempt. Returns the rows copied. */
    long copy(ChangeReader main, String snapshotId, Target laneTarget, TableInfo t, List<CopyRanges.Range> ranges,
              long[] progress, Runnable flush) throws SQLException {
        ConcurrentLinkedQueue<CopyRanges.Range> todo = new ConcurrentLinkedQueue<>(ranges.stream().filter(r -> !r.state().equals("done")).toList());
        int total = ranges.size();
        int left = todo.size();
        long started = System.nanoTime();
        AtomicLong rows = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        int workers = snapshotId == null ? 1 : Math.max(1, Math.min(parallelism, left));
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread th = new Thread(r, "range-" + plan.sync().name() + "-" + target.name());
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            futures.add(pool.submit(() -> work(main, laneTarget, t, todo, rows, bytes, progress)));
            for (int w = 1; w < workers; w++) {
                futures.add(pool.submit(() -> {
                    try (Connection c = SyncRunner.openSource(source);
                         Target tgt = workerTarget.get();
                         ChangeReader s = ChangeSources.of(source).readShared(c, snapshotId, main.position())) {
                        return work(s, tgt, t, todo, rows, bytes, progress);
                    }
                }));
            }
            Throwable failure = null;
            for (Future<?> f : futures) {
                while (true) {
                    try {
                        f.get(1, TimeUnit.SECONDS);
                        break;
                    } catch (TimeoutException e) {
                        flush.run();
                    } catch (ExecutionException e) {
                        todo.clear(); // the others stop after their current range
                        failure = failure == null ? e.getCause() : failure;
                        break;
                    }
                }
            }
            TableCopier.rethrow(failure, target);
            if (left < total && ranges.get(0).blocks()) {
                forgetMovedRows(main, laneTarget, t);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IbexException("copy to \"" + target.name() + "\" interrupted");
        } finally {
            todo.clear();
            pool.shutdownNow();
        }
        log.info("KID ({}) Copied {} rows of {}.{} to {} in {} of {} {} range(s) by {} worker(s) in {} ms{}", plan.sync().name(), rows.get(),
                source.name(), t.qualifiedName(), target.name(), left, total, ranges.get(0).blocks() ? "block" : "key", workers, (System.nanoTime() - started) / 1_000_000,
                left < total ? " (resumed: " + (total - left) + " range(s) were done)" : "");
        return rows.get();
    }

    /**
     * Block ranges copied from different snapshots (a resumed copy) may both hold a row that changed in between: its
     * old version in a range done before, its new one in a block of a range done later. The keys changed since the
     * copy's first snapshot are deleted from the target: the changes, which follow from that first snapshot, bring
     * every one of them back as it is on the source (docs/design.md, "A resumed copy").
     */
    private void forgetMovedRows(ChangeReader main, Target laneTarget, TableInfo t) throws SQLException {
        ChangeWindow since = new ChangeWindow(ChangeSources.of(source).position(ledger.start()), main.position(), plan.applicationName());
        if (since.isEmpty() || ledger.start().equals(main.position().text())) {
            return;
        }
        PushbackInputStream keys = new PushbackInputStream(main.keys(t, since));
        try {
            int first = keys.read();
            if (first < 0) {
                return; // no key changed: nothing to scan the target table for
            }
            keys.unread(first);
        } catch (IOException e) {
            throw new SQLException("cannot read the changed keys of " + t.qualifiedName() + ": " + e.getMessage(), e);
        }
        laneTarget.begin();
        try {
            long gone = laneTarget.deleteKeys(t, keys);
            laneTarget.commit();
            log.info("KID ({}) Deleted {} row(s) of {} on {} whose keys changed since the copy began: the changes bring them", plan.sync().name(),
                    gone, t.qualifiedName(), target.name());
        } catch (RuntimeException e) {
            laneTarget.rollback();
            throw e;
        }
    }

    /** One worker: copies ranges until none is left, each in a committed target transaction of its own. */
    private long work(ChangeReader session, Target tgt, TableInfo t, ConcurrentLinkedQueue<CopyRanges.Range> todo, AtomicLong rows,
                      AtomicLong bytes, long[] progress) throws SQLException {
        String name = t.qualifiedName();
        for (CopyRanges.Range r = todo.poll(); r != null; r = todo.poll()) {
            boolean deleteFirst = false;
            if (r.state().equals("started")) {
                Boolean committed = r.targetXid() == null ? null : tgt.committed(r.targetXid()).orElse(null);
                if (Boolean.TRUE.equals(committed)) {
                    ledger.mark(name, r.lo(), "done"); // its transaction committed before the copy was cut short
                    continue;
                }
                if (committed == null && r.blocks()) {
                    throw new IbexException("cannot tell whether the copy of blocks " + r.lo() + " to " + r.hi() + " of " + name + " on \""
                            + target.name() + "\" committed: set onetimecopy=1 again to start that copy over");
                }
                deleteFirst = committed == null; // it may have committed: its keys go first
            }
            long[] last = {0, 0};
            tgt.begin();
            try {
                ledger.started(name, r.lo(), tgt.tellsCommitted() ? tgt.transactionId().orElseThrow() : null);
                if (deleteFirst) {
                    tgt.deleteRange(t, keyRange(r));
                }
                InputStream in = r.blocks() ? session.rowsInBlocks(t, r.lo(), r.hi() + 1) : session.rowsIn(t, keyRange(r));
                TableCopier.RowCounter counter = new TableCopier.RowCounter(in, (n, b) -> {
                    progress[0] = rows.addAndGet(n - last[0]);
                    progress[3] = bytes.addAndGet(b - last[1]);
                    last[0] = n;
                    last[1] = b;
                });
                long n = tgt.insertRows(t, counter);
                progress[0] = rows.addAndGet(n - last[0]);
                progress[3] = bytes.addAndGet(counter.bytes() - last[1]);
                tgt.commit();
            } catch (RuntimeException | SQLException e) {
                tgt.rollback();
                throw e;
            }
            ledger.mark(name, r.lo(), "done");
        }
        return rows.get();
    }

    private static KeyRange keyRange(CopyRanges.Range r) {
        return new KeyRange(List.of(String.valueOf(r.lo())), List.of(String.valueOf(r.hi())));
    }
}
