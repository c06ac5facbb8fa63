package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.spi.ApplyException;
import io.ibex.spi.Target;
import io.ibex.model.KeyRange;
import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.repository.Repository;
import io.ibex.spi.ChangeReader;
import io.ibex.spi.ChangeSource;
import io.ibex.spi.ChangeSources;
import io.ibex.spi.ChangeWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies a big backlog of one table: its changed keys are read once, sorted, into a file of the daemon
 * ({@link KeySpool}), cut into slices of consecutive keys, and the slices are applied by several workers at once,
 * each with its own source and target session (the workers after the first open theirs while the keys are read,
 * which takes about as long). A slice deletes its keys on the target and copies their current source rows, in one
 * target transaction of its own; while one worker's target deletes, another's rows stream.
 *
 * <p>Why this is safe: the slices hold disjoint keys, so their target transactions touch disjoint rows and may commit
 * in any order. Each slice reads the source at a snapshot no older than the window's end: a key whose row changed
 * since is in a later window as well and is applied again then. The position moves only after every slice has
 * committed; a crash before that applies the whole window again, which is harmless. Two slices can still collide
 * on a unique constraint other than the key (rows that swap a unique value, each in another slice) or deadlock; then
 * the table is applied once more in a single transaction, as a small backlog is.
 */
final class SliceApplier {

    private static final Logger log = LoggerFactory.getLogger(SliceApplier.class);
    /** SQLSTATEs after which the slices are given up for one transaction: unique violation, deadlock. */
    private static final Set<String> COLLISIONS = Set.of("23505", "40P01");

    private final Repository repo;
    private final SyncRunner runner;
    private final SyncPlan plan;
    private final Database source;
    private final Database targetDb;
    private final ChangeSource capture;

    SliceApplier(Repository repo, SyncRunner runner, SyncPlan plan, Database source, Database targetDb) {
        this.repo = repo;
        this.runner = runner;
        this.plan = plan;
        this.source = source;
        this.targetDb = targetDb;
        this.capture = ChangeSources.of(source);
    }

    /** Applies the table's changes in the window; returns {deleted, inserted}. */
    long[] apply(long runId, ChangeWindow window, TableInfo t, int sliceKeys, int parallelism) throws SQLException {
        Connection src = runner.source(source);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, parallelism), r -> {
            Thread th = new Thread(r, "slice-" + plan.sync().name() + "-" + targetDb.name());
            th.setDaemon(true);
            return th;
        });
        // the other workers' sessions open while the keys are read: a new session costs about as much as that read
        List<CompletableFuture<Sessions>> opening = new ArrayList<>();
        for (int w = 1; w < parallelism; w++) {
            opening.add(CompletableFuture.supplyAsync(this::openSessions, pool));
        }
        try (ChangeReader s = capture.read(src); KeySpool spool = KeySpool.write(s.sortedKeys(t, window))) {
            s.close(); // the keys are in the file: end the read before the slices start theirs
            List<KeySpool.Slice> slices = spool.slices(sliceSize(spool.keys(), sliceKeys, parallelism));
            try {
                return applySlices(pool, opening, runId, t, spool, slices, parallelism);
            } catch (ApplyException e) {
                if (!COLLISIONS.contains(e.sqlState()) || slices.size() < 2) {
                    throw e;
                }
                log.info("KID ({}) Slices of {} collided ({}); applying it in one transaction", plan.sync().name(), t.qualifiedName(),
                        Pg.firstLine(e));
                runner.dropTarget(targetDb.name());
                return applyWhole(t, spool);
            }
        } catch (IOException e) {
            throw new IbexException("cannot keep the changed keys of " + t.qualifiedName() + " in a temporary file: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IbexException("applying " + t.qualifiedName() + " to \"" + targetDb.name() + "\" interrupted");
        } finally {
            for (CompletableFuture<Sessions> f : opening) { // those no worker took (fewer slices than workers, or a failure)
                f.thenAccept(Sessions::close); // now, or once open: no waiting for a slow connect here
            }
            pool.shutdown();
        }
    }

    /**
     * Slices are worth their fixed cost (a snapshot, a target transaction and its commit each) from this many keys:
     * measured on 15 (the benchmark's catch-up of a 100k-row UPDATE), 0.55-0.58 s as four slices of 25,000 keys,
     * 0.41 s as one, 0.37 s as two of 50,000 (one per worker); scattered keys in a 10M-row table keep gaining
     * from two workers.
     */
    static final long MIN_SLICE_KEYS = 50_000;

    /**
     * At most sliceKeys keys a slice, and up to two slices per worker, so that deletes and copies overlap, but none
     * smaller than {@link #MIN_SLICE_KEYS} (or sliceKeys, if that is smaller) for that.
     */
    static long sliceSize(long keys, int sliceKeys, int parallelism) {
        long least = Math.min(MIN_SLICE_KEYS, sliceKeys);
        long forWorkers = Math.min(parallelism > 1 ? 2L * parallelism : 1, keys / least); // none below least
        long slices = Math.max(1, Math.max((keys + sliceKeys - 1) / sliceKeys, forWorkers));
        return Math.max(1, Math.min(sliceKeys, (keys + slices - 1) / slices));
    }

    private long[] applySlices(ExecutorService pool, List<CompletableFuture<Sessions>> opening, long runId, TableInfo t, KeySpool spool,
                               List<KeySpool.Slice> slices, int parallelism) throws InterruptedException {
        int workers = Math.max(1, Math.min(parallelism, slices.size()));
        boolean ranged = KeyRange.supported(t);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicLong deleted = new AtomicLong();
        AtomicLong inserted = new AtomicLong();
        AtomicBoolean failed = new AtomicBoolean();
        Connection mainSource = runner.source(source);
        Target mainTarget = runner.target(plan, targetDb);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            CompletableFuture<Sessions> own = w > 0 ? opening.remove(0) : null;
            futures.add(pool.submit(() -> {
                Sessions sessions = null;
                try {
                    sessions = own == null ? null : own.join();
                    Connection c = own == null ? mainSource : sessions.source();
                    Target tgt = own == null ? mainTarget : sessions.target();
                    int i;
                    while (!failed.get() && (i = next.getAndIncrement()) < slices.size()) {
                        KeySpool.Slice slice = slices.get(i);
                        KeyRange range = ranged ? KeyRange.of(slice.firstLine(), slice.lastLine(), t.keyColumns().size()) : null;
                        boolean byRange = range != null && range.holdsExactly(t, slice.keys());
                        long[] r = byRange ? applySlice(c, tgt, t, null, null, range)
                                : applySlice(c, tgt, t, spool.open(slice), spool.open(slice), range);
                        deleted.addAndGet(r[0]);
                        inserted.addAndGet(r[1]);
                        log.info("KID ({}) Delta count for {}.{} : {} (slice {} of {}{}: deleted {}, inserted {} on {})", plan.sync().name(),
                                source.name(), t.qualifiedName(), slice.keys(), slice.number(), slices.size(), byRange ? ", by key range" : "",
                                r[0], r[1], targetDb.name());
                        done.incrementAndGet();
                    }
                    return null;
                } catch (RuntimeException | SQLException | IOException e) {
                    failed.set(true);
                    // a worker whose sessions did not open fails with what the opening threw
                    throw e instanceof CompletionException && e.getCause() instanceof Exception cause ? cause : e;
                } finally {
                    if (sessions != null) {
                        sessions.close();
                    }
                }
            }));
        }
        RuntimeException first = null;
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get(1, TimeUnit.SECONDS);
                    break;
                } catch (TimeoutException e) {
                    state(runId, t, done.get(), slices.size());
                } catch (ExecutionException e) {
                    if (first == null || (first instanceof ApplyException && !(e.getCause() instanceof ApplyException))) {
                        first = asRuntime(t, e.getCause());
                    }
                    break;
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return new long[] {deleted.get(), inserted.get()};
    }

    private void state(long runId, TableInfo t, int done, int slices) {
        repo.runs().runState(runId, "Applying " + t.qualifiedName() + " to " + targetDb.name() + ": " + done + " of " + slices + " slices");
        repo.commit();
    }

    /**
     * One slice: its keys deleted and their source rows copied, in one target transaction. Without key streams
     * the range stands for the keys: a slice whose keys are every integer of its range (a bulk change of
     * consecutive ids), for which no key is sent and nothing is joined.
     */
    private long[] applySlice(Connection src, Target tgt, TableInfo t, InputStream keysToDelete, InputStream keysToCopy,
                                     KeyRange range) throws SQLException, IOException {
        try (ChangeReader session = capture.read(src); keysToDelete; keysToCopy) {
            tgt.begin();
            long deleted = keysToDelete == null ? tgt.deleteRange(t, range) : tgt.deleteKeys(t, keysToDelete, range);
            long inserted = tgt.insertRows(t, keysToCopy == null ? session.rowsIn(t, range) : session.rowsOf(t, keysToCopy, range));
            tgt.commit();
            return new long[] {deleted, inserted};
        } catch (RuntimeException | SQLException | IOException e) {
            tgt.rollback();
            throw e;
        }
    }

    /** Every key in one transaction, as for a small backlog (after slices collided). */
    private long[] applyWhole(TableInfo t, KeySpool spool) throws SQLException {
        try {
            long[] r = applySlice(runner.source(source), runner.target(plan, targetDb), t, spool.openAll(), spool.openAll(), null);
            log.info("KID ({}) Delta count for {}.{} : {} (deleted {}, inserted {} on {})", plan.sync().name(), source.name(),
                    t.qualifiedName(), spool.keys(), r[0], r[1], targetDb.name());
            return r;
        } catch (IOException e) {
            throw new IbexException("cannot read the changed keys of " + t.qualifiedName() + " back: " + e.getMessage(), e);
        }
    }

    /** A worker's own source and target sessions. */
    private record Sessions(Connection source, Target target) {
        void close() {
            target.close();
            Pg.closeQuietly(source);
        }
    }

    private Sessions openSessions() {
        Connection c = SyncRunner.openSource(source);
        try {
            return new Sessions(c, runner.workerTarget(plan, targetDb));
        } catch (RuntimeException e) {
            Pg.closeQuietly(c);
            throw e;
        }
    }

    private RuntimeException asRuntime(TableInfo t, Throwable cause) {
        if (cause instanceof RuntimeException re) {
            return re;
        }
        if (cause instanceof SQLException) {
            return new IbexException("source database \"" + source.name() + "\": " + Pg.firstLine(cause), cause);
        }
        return new IbexException("applying " + t.qualifiedName() + " to \"" + targetDb.name() + "\": " + Pg.firstLine(cause), cause);
    }
}
