package io.ibex.mariadb;

import io.ibex.IbexException;
import io.ibex.model.TableInfo;
import io.ibex.spi.CopyTextDecoder;
import io.ibex.spi.jdbc.PortableValues;
import io.ibex.spi.jdbc.TypeMapping;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * A PostgreSQL COPY text stream of a table's rows read as the text {@code LOAD DATA ... CHARACTER SET binary} takes
 * (tab-separated, {@code \N} for null, backslash escapes), converted as it is read. The two formats are nearly the
 * same; what differs: MySQL reads {@code \f} and {@code \v} as plain letters (they become their bytes, and an octal
 * or hex escape its byte; the escapes both formats share pass as they are), booleans are 1/0, bytea goes as its raw
 * bytes, a timestamptz without its "+00" (ibex's sessions print UTC), and the values MariaDB cannot hold
 * (infinities, NaN, BC dates) are refused with the column named ({@link PortableValues}). A refusal ends the stream
 * with an IOException and stays in {@link #failure()}, since the driver reports a broken stream in its own words.
 */
final class LoadDataText extends InputStream {

    private enum Kind { PLAIN, BOOL, BYTEA, FLOAT, TIMESTAMP }

    private static final int FILL = 1 << 16;

    private final InputStream in;
    private final byte[] inBuf = new byte[FILL];
    private int inPos;
    private int inLen;
    private byte[] line = new byte[1024];
    private int lineLen;
    private final int[] starts;
    private final int[] ends;
    private final int[] keyAt;
    private final TableInfo table;
    private final List<TableInfo.Column> columns;
    private final Kind[] kinds;
    private final Consumer<List<String>> keySeen;
    private byte[] buf = new byte[FILL + 1024];
    private int pos;
    private int len;
    private boolean end;
    private long rows;
    private IbexException failure;

    /** keySeen receives the key of each row, as the values of its COPY fields (null: nobody asks). */
    LoadDataText(InputStream copyText, TableInfo table, Consumer<List<String>> keySeen) {
        this.in = copyText;
        this.table = table;
        this.columns = table.columns();
        this.kinds = new Kind[columns.size()];
        for (int i = 0; i < kinds.length; i++) {
            kinds[i] = kind(columns.get(i).type());
        }
        this.keySeen = keySeen;
        this.starts = new int[kinds.length];
        this.ends = new int[kinds.length];
        List<String> names = table.columnNames();
        this.keyAt = table.keyColumns().stream().mapToInt(names::indexOf).toArray();
    }

    private static Kind kind(String pgType) {
        return switch (TypeMapping.base(pgType)) {
            case "boolean" -> Kind.BOOL;
            case "bytea" -> Kind.BYTEA;
            case "real", "double precision", "numeric" -> Kind.FLOAT;
            case "date", "timestamp without time zone", "timestamp with time zone" -> Kind.TIMESTAMP;
            default -> Kind.PLAIN;
        };
    }

    long rows() {
        return rows;
    }

    /** The value that could not go, with its column named; null if none. */
    IbexException failure() {
        return failure;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int n) throws IOException {
        while (pos == len) {
            if (end) {
                return -1;
            }
            fill();
        }
        int k = Math.min(n, len - pos);
        System.arraycopy(buf, pos, b, off, k);
        pos += k;
        return k;
    }

    private void fill() throws IOException {
        pos = 0;
        len = 0;
        try {
            while (len < FILL) {
                if (!nextLine()) {
                    end = true;
                    return;
                }
                if (lineLen == 2 && line[0] == '\\' && line[1] == '.') {
                    continue; // the end-of-data marker of older clients
                }
                split();
                for (int i = 0; i < kinds.length; i++) {
                    if (i > 0) {
                        put((byte) '\t');
                    }
                    field(i);
                }
                put((byte) '\n');
                rows++;
                if (keySeen != null) {
                    List<String> key = new ArrayList<>(keyAt.length);
                    for (int k : keyAt) {
                        key.add(text(k));
                    }
                    keySeen.accept(key);
                }
            }
        } catch (IbexException e) {
            failure = e;
            end = true;
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Reads the next line (without its newline) into line; false at the end. */
    private boolean nextLine() throws IOException {
        lineLen = 0;
        boolean any = false;
        while (true) {
            if (inPos == inLen) {
                inLen = in.read(inBuf, 0, inBuf.length);
                inPos = 0;
                if (inLen <= 0) {
                    inLen = 0;
                    return any;
                }
            }
            any = true;
            int from = inPos;
            while (inPos < inLen && inBuf[inPos] != '\n') {
                inPos++;
            }
            int n = inPos - from;
            if (lineLen + n > line.length) {
                line = Arrays.copyOf(line, Math.max(line.length * 2, lineLen + n));
            }
            System.arraycopy(inBuf, from, line, lineLen, n);
            lineLen += n;
            if (inPos < inLen) {
                inPos++;
                return true;
            }
        }
    }

    /** The fields' bounds in line. */
    private void split() throws IOException {
        int n = lineLen > 0 && line[lineLen - 1] == '\r' ? lineLen - 1 : lineLen;
        int f = 0;
        int from = 0;
        for (int i = 0; i <= n; i++) {
            if (i == n || line[i] == '\t') {
                if (f == kinds.length) {
                    f++;
                    break;
                }
                starts[f] = from;
                ends[f++] = i;
                from = i + 1;
            }
        }
        if (f != kinds.length) {
            throw new IOException("a COPY row of " + table.name() + " does not have " + kinds.length + " fields");
        }
    }

    private boolean isNull(int i) {
        return ends[i] - starts[i] == 2 && line[starts[i]] == '\\' && line[starts[i] + 1] == 'N';
    }

    /** A field's value, unescaped; null for \N. */
    private String text(int i) {
        return isNull(i) ? null : CopyTextDecoder.field(line, starts[i], ends[i]);
    }

    private void field(int i) {
        if (isNull(i)) {
            put((byte) '\\');
            put((byte) 'N');
            return;
        }
        switch (kinds[i]) {
            case BOOL -> put(line[starts[i]] == 't' ? (byte) '1' : (byte) '0');
            case BYTEA -> escaped(bytea(i, text(i)));
            case FLOAT -> {
                String v = text(i);
                if (v.equals("NaN") || v.endsWith("Infinity")) {
                    throw PortableValues.cannotHold(table.name(), columns.get(i).name(), columns.get(i).type(), v);
                }
                ascii(v);
            }
            case TIMESTAMP -> ascii((String) PortableValues.toTarget(table.name(), columns.get(i).name(), columns.get(i).type(), text(i)));
            case PLAIN -> plain(starts[i], ends[i]);
        }
    }

    /**
     * COPY text as MySQL's: the escapes both read alike (\\, \t, \n, \r, \b) pass as they are; \f and \v become
     * their bytes, and an octal or hex escape its byte (escaped again if MySQL needs it).
     */
    private void plain(int from, int to) {
        boolean escapes = false;
        for (int k = from; k < to && !escapes; k++) {
            escapes = line[k] == '\\';
        }
        if (!escapes) {
            ensure(to - from);
            System.arraycopy(line, from, buf, len, to - from);
            len += to - from;
            return;
        }
        ensure(2 * (to - from));
        int k = from;
        while (k < to) {
            byte c = line[k++];
            if (c != '\\' || k == to) {
                buf[len++] = c;
                continue;
            }
            byte e = line[k];
            switch (e) {
                case '\\', 't', 'n', 'r', 'b' -> {
                    buf[len++] = '\\';
                    buf[len++] = e;
                    k++;
                }
                case 'f' -> {
                    buf[len++] = '\f';
                    k++;
                }
                case 'v' -> {
                    buf[len++] = 0x0b;
                    k++;
                }
                default -> {
                    // an octal or hex escape is a byte; any other escaped character stands for itself
                    int next = e == 'x' || (e >= '0' && e <= '7') ? escapeEnd(k, to) : k + 1;
                    escaped(new byte[] {e == 'x' ? (next == k + 1 ? (byte) 'x' : (byte) Integer.parseInt(new String(line, k + 1, next - k - 1,
                            StandardCharsets.US_ASCII), 16)) : e >= '0' && e <= '7'
                            ? (byte) Integer.parseInt(new String(line, k, next - k, StandardCharsets.US_ASCII), 8) : e});
                    k = next;
                }
            }
        }
    }

    /** Where an octal (up to 3 digits) or hex (x and up to 2 digits) escape that starts at k ends. */
    private int escapeEnd(int k, int to) {
        if (line[k] == 'x') {
            int n = k + 1;
            while (n < to && n < k + 3 && Character.digit(line[n], 16) >= 0) {
                n++;
            }
            return n;
        }
        int n = k + 1;
        while (n < to && n < k + 3 && line[n] >= '0' && line[n] <= '7') {
            n++;
        }
        return n;
    }

    private byte[] bytea(int i, String v) {
        if (!v.startsWith("\\x")) {
            throw new IbexException("column " + columns.get(i).name() + " of " + table.name() + ": bytea not in hex output");
        }
        return HexFormat.of().parseHex(v, 2, v.length());
    }

    /** Text that holds no character MySQL would read as special (numbers, dates). */
    private void ascii(String v) {
        ensure(v.length());
        for (int k = 0; k < v.length(); k++) {
            buf[len++] = (byte) v.charAt(k);
        }
    }

    /** Bytes with the escapes LOAD DATA reads: backslash, tab, newline, carriage return and NUL. */
    private void escaped(byte[] v) {
        ensure(2 * v.length);
        for (byte c : v) {
            switch (c) {
                case '\\' -> { buf[len++] = '\\'; buf[len++] = '\\'; }
                case '\t' -> { buf[len++] = '\\'; buf[len++] = 't'; }
                case '\n' -> { buf[len++] = '\\'; buf[len++] = 'n'; }
                case '\r' -> { buf[len++] = '\\'; buf[len++] = 'r'; }
                case 0 -> { buf[len++] = '\\'; buf[len++] = '0'; }
                default -> buf[len++] = c;
            }
        }
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
