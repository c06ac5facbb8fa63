package io.ibex.engine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streams read whole from a source (COPY text of keys and rows) so that the source's transaction can end before
 * the target starts on them: a source snapshot held open while the target deletes, copies and commits keeps the
 * source's VACUUM and HOT pruning from removing dead rows, which slows a busy source measurably. Together the
 * spools of one batch keep at most {@link #MEMORY_BUDGET} bytes in memory and {@link #TOTAL_BUDGET} in all, the
 * rest of memory's share in temporary files. A stream that does not fit is not read to its end: its spool is
 * <em>live</em>, what was read followed by the rest of the stream, and the source's transaction must then stay
 * open until the target has read it (as for very wide rows).
 */
final class Spools implements AutoCloseable {

    static final long MEMORY_BUDGET = 16L << 20;
    static final long TOTAL_BUDGET = 128L << 20;

    private final List<Path> files = new ArrayList<>();
    private long memoryLeft;
    private long totalLeft;

    Spools() {
        this(MEMORY_BUDGET, TOTAL_BUDGET);
    }

    Spools(long memoryBudget, long totalBudget) {
        this.memoryLeft = memoryBudget;
        this.totalLeft = totalBudget;
    }

    /** A stream kept for the target: open() once; live if it still reads from the source. */
    interface Spool {
        InputStream open() throws IOException, java.sql.SQLException;

        default boolean live() {
            return false;
        }
    }

    /**
     * Reads the stream into memory, then a file, within the budgets; a stream bigger than what is left comes back
     * live (not read to its end, and not closed).
     */
    Spool read(InputStream in) throws IOException {
        byte[] buf = new byte[(int) Math.max(1, Math.min(1 << 16, memoryLeft))];
        int len = 0;
        int n;
        while ((n = in.read(buf, len, buf.length - len)) > 0) {
            len += n;
            if (len == buf.length) {
                if (buf.length * 2L > memoryLeft) {
                    return toFile(buf, len, in);
                }
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
        }
        in.close();
        memoryLeft -= buf.length;
        totalLeft -= buf.length;
        byte[] data = buf;
        int size = len;
        return () -> new ByteArrayInputStream(data, 0, size);
    }

    private Spool toFile(byte[] head, int len, InputStream rest) throws IOException {
        Path file = Files.createTempFile("ibex-rows-", ".copy");
        files.add(file);
        long written = len;
        boolean complete = false;
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(head, 0, len);
            byte[] buf = new byte[1 << 16];
            int n;
            while (written < totalLeft) {
                n = rest.read(buf, 0, (int) Math.min(buf.length, totalLeft - written));
                if (n < 0) {
                    complete = true;
                    break;
                }
                out.write(buf, 0, n);
                written += n;
            }
        }
        totalLeft -= Math.min(written, totalLeft);
        if (complete) {
            rest.close();
            return () -> new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16);
        }
        return new Spool() {
            @Override
            public InputStream open() throws IOException {
                return new SequenceInputStream(new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16), rest);
            }

            @Override
            public boolean live() {
                return true;
            }
        };
    }

    @Override
    public void close() {
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // a temporary file left behind is removed with the others of the system
            }
        }
        files.clear();
    }
}
