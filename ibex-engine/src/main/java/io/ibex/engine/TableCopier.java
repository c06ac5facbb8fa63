package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.spi.CopyPath;
import io.ibex.spi.ForeignKeyOrder;
import io.ibex.spi.Target;
import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.repository.Repository;
import io.ibex.spi.ChangeReader;
import io.ibex.spi.ChangeSources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies whole tables (onetimecopy, fullcopy) from one source snapshot into one target, several tables at a time.
 * Each table is its own target transaction, so a big copy shows its rows table by table and a failure keeps the
 * tables already done; the copy as a whole is repeated until it succeeds. The parallel readers share the main
 * read's moment (ChangeReader.share; PostgreSQL 9.2+), so every table is copied as of the same moment. Progress (rows
 * copied of rows estimated) is written to the repository about once a second.
 */
final class TableCopier {

    private static final Logger log = LoggerFactory.getLogger(TableCopier.class);
    /** Tables copied at a time (setting copy_parallelism). */
    private final int parallelism;

    private final Repository repo;
    private final SyncRunner runner;
    private final SyncPlan plan;
    private final Database source;
    private final Database target;
    private final Map<String, long[]> progress = new ConcurrentHashMap<>();
    private long lastFlush;
    /** A resumable onetimecopy's bookkeeping (null for fullcopy, which starts over each time), and its split threshold. */
    private final CopyLedger ledger;
    private final int splitRows;

    TableCopier(Repository repo, SyncRunner runner, SyncPlan plan, Database source, Database target, int parallelism) {
        this(repo, runner, plan, source, target, parallelism, null, Integer.MAX_VALUE);
    }

    TableCopier(Repository repo, SyncRunner runner, SyncPlan plan, Database source, Database target, int parallelism,
                CopyLedger ledger, int splitRows) {
        this.ledger = ledger;
        this.splitRows = splitRows;
        this.parallelism = parallelism;
        this.repo = repo;
        this.runner = runner;
        this.plan = plan;
        this.source = source;
        this.target = target;
    }

    /**
     * Copies the tables, biggest first; returns the rows copied. The main session stays open throughout (its snapshot
     * is shared) and copies too, into the lane's own target connection: only the other workers open connections,
     * once each, and they take the next table from one queue.
     */
    long copy(ChangeReader session, List<SyncPlan.Table> tables) throws SQLException {
        List<SyncPlan.Table> order = new ArrayList<>(tables);
        if (ledger != null) {
            order.removeIf(t -> ledger.tableDone(t.info().qualifiedName())); // done before the copy was cut short
        }
        for (SyncPlan.Table t : order) {
            // rows copied, rows estimated, finished (1), bytes copied (COPY text), bytes estimated (the source table's size)
            progress.put(t.info().qualifiedName(), new long[]{0, session.estimatedRows(t.info()), 0, 0, session.estimatedBytes(t.info())});
        }
        order.sort(java.util.Comparator.comparingLong((SyncPlan.Table t) -> progress.get(t.info().qualifiedName())[1]).reversed());
        Target laneTarget = runner.target(plan, target);
        ForeignKeyOrder fk = laneTarget.foreignKeyOrder(order.stream().map(SyncPlan.Table::info).toList());
        if (fk.matters()) {
            emptyChildrenFirst(laneTarget, fk, order);
        }
        flush(true);
        String snapshotId = (order.size() > 1 || ledger != null) && parallelism > 1 ? session.share() : null;
        long rows = 0;
        if (ledger != null && !fk.matters()) {
            rows += copyRanged(session, snapshotId, laneTarget, order);
        }
        CopyQueue queue = new CopyQueue(order, fk);
        if (snapshotId == null || order.size() < 2) {
            rows += copyQueued(session, laneTarget, queue, true);
        } else {
            rows += copyParallel(session, snapshotId, queue, order.size());
        }
        flush(true);
        return rows;
    }

    /** The big tables with one integer key, each copied in key ranges by several workers (RangedCopy); removed from order. */
    private long copyRanged(ChangeReader session, String snapshotId, Target laneTarget, List<SyncPlan.Table> order) throws SQLException {
        long rows = 0;
        for (SyncPlan.Table t : List.copyOf(order)) {
            String name = t.info().qualifiedName();
            long[] p = progress.get(name);
            var ranges = RangedCopy.ranges(session, t.info(), p[1], splitRows, parallelism, ledger, laneTarget, plan.sync().deletemethod());
            if (ranges == null) {
                continue;
            }
            order.remove(t);
            long done = ranges.stream().filter(r -> r.state().equals("done")).count();
            p[1] = p[1] * (ranges.size() - done) / Math.max(1, ranges.size()); // what is left of the estimate
            flush(true);
            rows += new RangedCopy(plan, source, target, ledger, parallelism, () -> runner.workerTarget(plan, target)).copy(session, snapshotId, laneTarget, t.info(), ranges, p,
                    () -> flush(false));
            Boolean tableAnalyze = t.relation().analyzeAfterCopy();
            if (tableAnalyze != null ? tableAnalyze : plan.sync().analyzeAfterCopy()) {
                laneTarget.begin();
                laneTarget.analyze(t.info());
                laneTarget.commit();
            }
            p[2] = 1;
            ledger.mark(name, null, "done");
            flush(true);
        }
        return rows;
    }

    /**
     * With replica_mode=none the target checks its foreign keys, and each table is copied in its own transaction:
     * every table is emptied first, children before parents, in one transaction, and then loaded parents first.
     */
    private void emptyChildrenFirst(Target tgt, ForeignKeyOrder fk, List<SyncPlan.Table> tables) {
        tgt.begin();
        try {
            for (SyncPlan.Table t : fk.childrenFirst(tables, SyncPlan.Table::info)) {
                tgt.empty(t.info(), plan.sync().deletemethod());
            }
            tgt.commit();
        } catch (RuntimeException e) {
            tgt.rollback();
            throw e;
        }
        log.info("KID ({}) Emptied {} table(s) on {} children first: its foreign keys fire (replica_mode=none), so they are loaded "
                + "parents first", plan.sync().name(), tables.size(), target.name());
    }

    private long copyParallel(ChangeReader main, String snapshotId, CopyQueue queue, int tables) throws SQLException {
        int workers = Math.min(parallelism, tables);
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread th = new Thread(r, "copy-" + plan.sync().name() + "-" + target.name());
            th.setDaemon(true);
            return th;
        });
        Target laneTarget = runner.target(plan, target);
        try {
            List<Future<Long>> futures = new ArrayList<>();
            futures.add(pool.submit(() -> copyQueued(main, laneTarget, queue, false)));
            for (int w = 1; w < workers; w++) {
                futures.add(pool.submit(() -> {
                    try (Connection c = SyncRunner.openSource(source);
                         Target tgt = runner.workerTarget(plan, target)) {
                        try (ChangeReader s = ChangeSources.of(source).readShared(c, snapshotId, main.position())) {
                            return copyQueued(s, tgt, queue, false);
                        }
                    }
                }));
            }
            long rows = 0;
            Throwable failure = null;
            for (Future<Long> f : futures) {
                while (true) {
                    try {
                        rows += f.get(1, TimeUnit.SECONDS);
                        break;
                    } catch (TimeoutException e) {
                        flush(false);
                    } catch (ExecutionException e) {
                        // the others stop after their current table; the run waits for them, since one of them
                        // uses the main session's connection, which the caller closes next
                        queue.clear();
                        failure = failure == null ? e.getCause() : failure;
                        break;
                    }
                }
            }
            rethrow(failure, target);
            return rows;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IbexException("copy to \"" + target.name() + "\" interrupted");
        } finally {
            queue.clear();
            pool.shutdownNow();
        }
    }

    /** One worker: copies tables from the queue until it is empty; on a failure it clears the queue for the others. */
    private long copyQueued(ChangeReader session, Target tgt, CopyQueue queue, boolean flushHere) throws SQLException {
        long rows = 0;
        try {
            for (SyncPlan.Table t = queue.take(); t != null; t = queue.take()) {
                rows += copyOne(session, tgt, t, flushHere);
                if (ledger != null) {
                    ledger.mark(t.info().qualifiedName(), null, "done");
                }
                queue.done(t);
            }
            return rows;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IbexException("copy to \"" + target.name() + "\" interrupted");
        } catch (RuntimeException | SQLException e) {
            queue.clear();
            throw e;
        }
    }

    private long copyOne(ChangeReader session, Target tgt, SyncPlan.Table t, boolean flushHere) throws SQLException {
        String name = t.info().qualifiedName();
        long started = System.nanoTime();
        long[] p = progress.get(name);
        tgt.begin();
        // as pg_restore does, where the target allows it: the indexes dropped, the rows loaded, the indexes built
        CopyPath path = tgt.emptyForCopy(t.info(), plan.sync().deletemethod());
        RowCounter counter = new RowCounter(session.allRows(t.info()), (n, bytes) -> {
            p[0] = n;
            p[3] = bytes;
            if (flushHere) {
                flush(false);
            }
        });
        long rows = tgt.insertRows(t.info(), counter);
        long loaded = System.nanoTime();
        String built = tgt.finishCopy(t.info());
        Boolean tableAnalyze = t.relation().analyzeAfterCopy();
        if (tableAnalyze != null ? tableAnalyze : plan.sync().analyzeAfterCopy()) {
            // in the copy's transaction: ANALYZE samples the transaction's own rows, and does not set hint bits on
            // every page (which it would after the commit, dirtying the whole table once more)
            tgt.analyze(t.info());
        }
        tgt.commit();
        p[0] = rows;
        p[3] = counter.bytes();
        p[2] = 1;
        String how = path.why() + (built.isEmpty() ? "" : "; " + built);
        Integer tableRebuild = t.relation().rebuildIndex();
        if ((tableRebuild != null ? tableRebuild : plan.sync().rebuildIndex()) > 0) {
            if (path.rebuiltAll()) {
                how += "; no REINDEX (rebuild_index): every index was just built";
            } else {
                tgt.reindex(t.info());
                how += "; REINDEX (rebuild_index)";
            }
        }
        log.info("KID ({}) Copied {} rows of {}.{} to {} in {} ms (rows {} ms; {})", plan.sync().name(), rows, source.name(), name,
                target.name(), (System.nanoTime() - started) / 1_000_000, (loaded - started) / 1_000_000, how);
        return rows;
    }

    /** Writes the progress to the repository, at most once a second unless forced; only from the run's thread. */
    private void flush(boolean force) {
        long now = System.currentTimeMillis();
        if (!force && now - lastFlush < 1000) {
            return;
        }
        lastFlush = now;
        progress.forEach((table, p) -> repo.copyProgressLog().copyProgress(plan.sync().name(), target.name(), table, p[0], Math.max(p[1], p[0]),
                p[3], p[4], p[2] == 1));
        repo.commit();
    }

    /** Told the rows and bytes of a copy so far. */
    interface Progress {
        void update(long rows, long bytes);
    }

    /** Counts the rows and bytes of a COPY text stream as it passes (one newline per row; newlines in values are escaped). */
    static final class RowCounter extends FilterInputStream {
        private final Progress onProgress;
        private final AtomicLong rows = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();
        private long reported;

        long bytes() {
            return bytes.get();
        }

        RowCounter(InputStream in, Progress onProgress) {
            super(in);
            this.onProgress = onProgress;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                long count = 0;
                for (int i = off; i < off + n; i++) {
                    if (b[i] == '\n') {
                        count++;
                    }
                }
                long total = rows.addAndGet(count);
                long size = bytes.addAndGet(n);
                if (total - reported >= 10_000) {
                    reported = total;
                    onProgress.update(total, size);
                }
            }
            return n;
        }
    }

    /** Ends a parallel copy that failed: the first worker's failure, as one line naming the target. */
    static void rethrow(Throwable failure, Database target) {
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure != null) {
            throw new IbexException("copy to \"" + target.name() + "\": " + Pg.firstLine(failure), failure);
        }
    }
}
