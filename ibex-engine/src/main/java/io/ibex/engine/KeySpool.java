package io.ibex.engine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The changed keys of a big backlog (COPY text, one key per line, sorted), kept in a temporary file of the daemon
 * so that the source's read of them is one short query and the daemon's memory stays flat, then cut into slices
 * of consecutive lines that are applied independently.
 */
final class KeySpool implements AutoCloseable {

    /** One slice: a byte range of the file, and its first and last line (for a key range). */
    record Slice(int number, long start, long end, long keys, String firstLine, String lastLine) {
    }

    private final Path file;
    private final long keys;
    private final long bytes;

    private KeySpool(Path file, long keys, long bytes) {
        this.file = file;
        this.keys = keys;
        this.bytes = bytes;
    }

    /** Reads the whole stream into a new file. */
    static KeySpool write(InputStream keyStream) throws IOException {
        Path file = Files.createTempFile("ibex-keys-", ".copy");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            byte[] buf = new byte[1 << 16];
            long keys = 0;
            long bytes = 0;
            int n;
            while ((n = keyStream.read(buf)) > 0) {
                out.write(buf, 0, n);
                bytes += n;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        keys++;
                    }
                }
            }
            return new KeySpool(file, keys, bytes);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    long keys() {
        return keys;
    }

    /** The file cut into slices of sliceKeys lines (the last may be shorter). */
    List<Slice> slices(long sliceKeys) throws IOException {
        List<long[]> cuts = new ArrayList<>(); // start, end, keys, first line start/end, last line start/end
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            long offset = 0;
            long lineStart = 0;
            long sliceStart = 0;
            long inSlice = 0;
            long firstStart = 0;
            long firstEnd = 0;
            long lastStart = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') {
                        continue;
                    }
                    long lineEnd = offset + i;
                    if (inSlice++ == 0) {
                        firstStart = lineStart;
                        firstEnd = lineEnd;
                    }
                    if (inSlice == sliceKeys) {
                        cuts.add(new long[] {sliceStart, lineEnd + 1, inSlice, firstStart, firstEnd, lineStart, lineEnd});
                        sliceStart = lineEnd + 1;
                        inSlice = 0;
                    }
                    lastStart = lineStart;
                    lineStart = lineEnd + 1;
                }
                offset += n;
            }
            if (inSlice > 0) {
                cuts.add(new long[] {sliceStart, lineStart, inSlice, firstStart, firstEnd, lastStart, lineStart - 1});
            }
        }
        List<Slice> slices = new ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            for (long[] c : cuts) {
                slices.add(new Slice(slices.size() + 1, c[0], c[1], c[2], text(f, c[3], c[4]), text(f, c[5], c[6])));
            }
        }
        return slices;
    }

    private static String text(RandomAccessFile f, long start, long end) throws IOException {
        byte[] b = new byte[(int) Math.min(end - start, 1 << 20)];
        f.seek(start);
        f.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The keys of one slice, as a COPY text stream. */
    InputStream open(Slice s) throws IOException {
        return open(s.start(), s.end());
    }

    /** Every key, as a COPY text stream. */
    InputStream openAll() throws IOException {
        return open(0, bytes);
    }

    private InputStream open(long start, long end) throws IOException {
        RandomAccessFile f = new RandomAccessFile(file.toFile(), "r");
        f.seek(start);
        InputStream raw = Channels.newInputStream(f.getChannel());
        return new BufferedInputStream(new InputStream() {
            long left = end - start;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = raw.read(buf, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                f.close();
            }
        }, 1 << 16);
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary file; the system cleans it eventually
        }
    }
}
