package io.ibex.repository;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.OptionalLong;

/**
 * How far the copy of one table to one target has come (a row of {@code ibex.copy_progress}), read at {@code asOf} (the
 * repository's clock). Bytes are those of the COPY text moved, of about the source table's size (bytesEstimated).
 */
public record CopyProgress(String sync, String target, String table, long rowsCopied, long rowsEstimated,
                           OffsetDateTime started, OffsetDateTime finished, long bytesCopied, long bytesEstimated,
                           OffsetDateTime asOf) {

    /** The copy's time so far (to its end once finished), in seconds. */
    public double elapsedSeconds() {
        OffsetDateTime end = finished != null ? finished : asOf;
        return end == null || started == null ? 0 : Math.max(0, Duration.between(started, end).toMillis() / 1000.0);
    }

    /** Rows a second since the copy started; 0 before any row. */
    public double rowsPerSecond() {
        double s = elapsedSeconds();
        return s <= 0 ? 0 : rowsCopied / s;
    }

    /** Bytes a second since the copy started. */
    public double bytesPerSecond() {
        double s = elapsedSeconds();
        return s <= 0 ? 0 : bytesCopied / s;
    }

    /** Seconds left at the rate so far, by the rows estimated; empty before any row or once finished. */
    public OptionalLong etaSeconds() {
        double rate = rowsPerSecond();
        if (finished != null) {
            return OptionalLong.of(0);
        }
        return rate <= 0 ? OptionalLong.empty() : OptionalLong.of(Math.round(Math.max(0, rowsEstimated - rowsCopied) / rate));
    }

    /**
     * One target's copies together: rows and bytes done of estimated, the rate since the first started and the time
     * left at that rate (what status and kick print as the total).
     */
    public static CopyProgress total(List<CopyProgress> copies) {
        CopyProgress first = copies.get(0);
        long rows = 0;
        long est = 0;
        long bytes = 0;
        long bytesEst = 0;
        OffsetDateTime started = first.started();
        OffsetDateTime finished = first.finished();
        boolean allDone = true;
        for (CopyProgress p : copies) {
            rows += p.rowsCopied();
            est += Math.max(p.rowsCopied(), p.rowsEstimated());
            bytes += p.bytesCopied();
            bytesEst += Math.max(p.bytesCopied(), p.bytesEstimated());
            started = p.started() != null && p.started().isBefore(started) ? p.started() : started;
            allDone &= p.finished() != null;
            finished = p.finished() != null && (finished == null || p.finished().isAfter(finished)) ? p.finished() : finished;
        }
        return new CopyProgress(first.sync(), first.target(), "total", rows, est, started, allDone ? finished : null, bytes, bytesEst,
                first.asOf());
    }
}
