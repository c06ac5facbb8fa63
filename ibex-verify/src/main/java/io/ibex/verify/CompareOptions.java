package io.ibex.verify;

/**
 * How a {@link TableComparer} works through a table.
 *
 * @param chunkSize rows of the source per key range (hashed as one unit on each server; the rows of a differing
 *                  range are listed, so this bounds memory too)
 * @param maxKeys   the most differing keys to return; further differences are only counted
 * @param progress  called after each key range
 */
public record CompareOptions(int chunkSize, int maxKeys, Progress progress) {

    public static final int DEFAULT_CHUNK_SIZE = 10_000;
    public static final int DEFAULT_MAX_KEYS = 1_000;

    /** Progress after each range: source rows done and the planner's estimate of the total (at least rowsDone). */
    @FunctionalInterface
    public interface Progress {
        void update(long rowsDone, long rowsTotalEstimate);
    }

    public CompareOptions {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size must be at least 1: " + chunkSize);
        }
        if (maxKeys < 0) {
            throw new IllegalArgumentException("max keys must not be negative: " + maxKeys);
        }
        if (progress == null) {
            progress = (done, total) -> { };
        }
    }

    public static CompareOptions defaults() {
        return new CompareOptions(DEFAULT_CHUNK_SIZE, DEFAULT_MAX_KEYS, null);
    }

    public CompareOptions withChunkSize(int rows) {
        return new CompareOptions(rows, maxKeys, progress);
    }

    public CompareOptions withMaxKeys(int keys) {
        return new CompareOptions(chunkSize, keys, progress);
    }

    public CompareOptions withProgress(Progress callback) {
        return new CompareOptions(chunkSize, maxKeys, callback);
    }
}
