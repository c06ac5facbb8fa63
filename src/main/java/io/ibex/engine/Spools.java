package io.ibex.engine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streams read whole from a source (COPY text of keys and rows) so that the source's transaction can end before
 * the target starts on them: a source snapshot held open while the target deletes, copies and commits keeps the
 * source's VACUUM and HOT pruning from removing dead rows, which slows a busy source measurably. Together the
 * spools of one batch keep at most {@link #MEMORY_BUDGET} bytes in memory; the rest goes to temporary files.
 */
final class Spools implements AutoCloseable {

    static final long MEMORY_BUDGET = 16L << 20;

    private final List<Path> files = new ArrayList<>();
    private long memoryLeft = MEMORY_BUDGET;

    /** A stream read to its end, to be read back (any number of times) with {@link Spool#open()}. */
    interface Spool {
        InputStream open() throws IOException;
    }

    Spool read(InputStream in) throws IOException {
        try (in) {
            byte[] buf = new byte[(int) Math.min(1 << 16, Math.max(memoryLeft, 1))];
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
            memoryLeft -= buf.length;
            byte[] data = buf;
            int size = len;
            return () -> new ByteArrayInputStream(data, 0, size);
        }
    }

    private Spool toFile(byte[] head, int len, InputStream rest) throws IOException {
        Path file = Files.createTempFile("ibex-rows-", ".copy");
        files.add(file);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(head, 0, len);
            rest.transferTo(out);
        }
        return () -> new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16);
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
