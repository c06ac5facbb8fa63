package io.ibex.verify;

import io.ibex.verify.CompareResult.Kind;
import io.ibex.verify.TableSql.RangeHash;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Compares one table between a source and a target database (PostgreSQL 9.0 and later, any mix of versions) with
 * bounded memory.
 *
 * <p>The source is walked in key order ({@code LIMIT 1 OFFSET chunk-1} after the previous range's last key) to cut
 * the key space into ranges of about {@link CompareOptions#chunkSize()} source rows. For each range both servers, at
 * the same time, compute in SQL the row count and the md5 of the key-ordered concatenation of per-row md5s (see
 * {@link TableSql}). Only a range whose count or hash differs is listed row by row ({@link RangeDiff}) to name the
 * keys. Each side reads from one snapshot (see {@link CompareSession}).
 */
public final class TableComparer {
    private final CompareOptions options;

    public TableComparer(CompareOptions options) {
        this.options = options;
    }

    public TableComparer() {
        this(CompareOptions.defaults());
    }

    /**
     * Compares {@code table} on the two connections. Autocommit connections are left as they were found; on a
     * connection in a transaction the compare runs inside it and pins its settings with SET LOCAL.
     *
     * @throws IllegalArgumentException if the table, a column, or a NOT NULL key is missing on a side
     */
    public CompareResult compare(Connection source, Connection target, ComparedTable table) throws SQLException {
        return compare(source, target, table, table);
    }

    /** As {@link #compare(Connection, Connection, ComparedTable)}, for a table named otherwise on the target (customname). */
    public CompareResult compare(Connection source, Connection target, ComparedTable table, ComparedTable onTarget) throws SQLException {
        ExecutorService targetWorker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ibex-verify-target");
            t.setDaemon(true);
            return t;
        });
        try (CompareSession src = CompareSession.open(source); CompareSession tgt = CompareSession.open(target)) {
            TableSql s = TableSql.load(src, table, true, "source");
            TableSql t = TableSql.load(tgt, onTarget, false, "target");
            return run(s, t, targetWorker);
        } finally {
            targetWorker.shutdownNow();
        }
    }

    private CompareResult run(TableSql source, TableSql target, ExecutorService targetWorker) throws SQLException {
        long estimate = source.estimatedRows();
        Differences differences = new Differences(options.maxKeys());
        long sourceRows = 0;
        long targetRows = 0;
        int ranges = 0;
        int differing = 0;
        List<String> lower = null;
        do {
            List<String> upper = source.boundAfter(lower, options.chunkSize());
            KeyRange range = new KeyRange(lower, upper);
            Future<RangeHash> targetHash = targetWorker.submit(() -> target.hash(range));
            RangeHash sourceHash;
            try {
                sourceHash = source.hash(range);
            } catch (SQLException | RuntimeException e) {
                finish(targetHash); // the target connection must be idle before the caller may use or close it
                throw e;
            }
            RangeHash other = await(targetHash);
            ranges++;
            sourceRows += sourceHash.rows();
            targetRows += other.rows();
            if (!sourceHash.equals(other)) {
                differing++;
                RangeDiff.find(source, target, range, differences);
            }
            options.progress().update(sourceRows, Math.max(estimate, sourceRows));
            lower = upper;
        } while (lower != null);
        return new CompareResult(sourceRows, targetRows, differences.count(Kind.MISSING_ON_TARGET),
                differences.count(Kind.EXTRA_ON_TARGET), differences.count(Kind.DIFFERENT), differences.listed(),
                ranges, differing);
    }

    private static void finish(Future<RangeHash> future) {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException ignored) {
            // the source side's failure is the one reported
        }
    }

    private static RangeHash await(Future<RangeHash> future) throws SQLException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while comparing", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new SQLException("target query failed", cause);
        }
    }
}
