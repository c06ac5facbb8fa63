package io.ibex.mariadb;

import io.ibex.IbexException;
import io.ibex.model.TableInfo;
import io.ibex.spi.CopyTextDecoder;
import io.ibex.spi.jdbc.PortableValues;
import io.ibex.spi.jdbc.TypeMapping;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * A PostgreSQL COPY text stream of a table's rows read as the text {@code LOAD DATA ... CHARACTER SET binary} takes
 * (tab-separated, {@code \N} for null, backslash escapes), converted as it is read. The two formats are nearly the
 * same; what differs: MySQL reads {@code \f} and {@code \v} as plain letters (so every field is unescaped and written
 * again with only the escapes MySQL knows), booleans are 1/0, bytea goes as its raw bytes, a timestamptz without its
 * "+00" (ibex's sessions print UTC), and the values MariaDB cannot hold (infinities, NaN, BC dates) are refused with
 * the column named ({@link PortableValues}). A refusal ends the stream with an IOException and stays in
 * {@link #failure()}, since the driver reports a broken stream in its own words.
 */
final class LoadDataText extends InputStream {

    private enum Kind { PLAIN, BOOL, BYTEA, FLOAT, TIMESTAMP }

    private static final int FILL = 1 << 16;

    private final CopyTextDecoder decoder;
    private final TableInfo table;
    private final List<TableInfo.Column> columns;
    private final Kind[] kinds;
    private final Consumer<List<String>> rowSeen;
    private byte[] buf = new byte[FILL + 1024];
    private int pos;
    private int len;
    private boolean end;
    private long rows;
    private IbexException failure;

    /** rowSeen receives each row's COPY fields (null: nobody asks). */
    LoadDataText(InputStream copyText, TableInfo table, Consumer<List<String>> rowSeen) {
        this.decoder = new CopyTextDecoder(copyText);
        this.table = table;
        this.columns = table.columns();
        this.kinds = new Kind[columns.size()];
        for (int i = 0; i < kinds.length; i++) {
            kinds[i] = kind(columns.get(i).type());
        }
        this.rowSeen = rowSeen;
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
                List<String> fields = decoder.next();
                if (fields == null) {
                    end = true;
                    return;
                }
                if (fields.size() != kinds.length) {
                    throw new IOException("a COPY row of " + table.name() + " has " + fields.size() + " fields, not " + kinds.length);
                }
                for (int i = 0; i < kinds.length; i++) {
                    if (i > 0) {
                        put((byte) '\t');
                    }
                    field(i, fields.get(i));
                }
                put((byte) '\n');
                rows++;
                if (rowSeen != null) {
                    rowSeen.accept(fields);
                }
            }
        } catch (IbexException e) {
            failure = e;
            end = true;
            throw new IOException(e.getMessage(), e);
        }
    }

    private void field(int i, String v) {
        if (v == null) {
            put((byte) '\\');
            put((byte) 'N');
            return;
        }
        switch (kinds[i]) {
            case BOOL -> put((byte) ("t".equals(v) || "true".equals(v) ? '1' : '0'));
            case BYTEA -> escaped(bytea(i, v));
            case FLOAT -> {
                if (v.equals("NaN") || v.endsWith("Infinity")) {
                    throw PortableValues.cannotHold(table.name(), columns.get(i).name(), columns.get(i).type(), v);
                }
                ascii(v);
            }
            case TIMESTAMP -> ascii((String) PortableValues.toTarget(table.name(), columns.get(i).name(), columns.get(i).type(), v));
            case PLAIN -> escaped(v.getBytes(StandardCharsets.UTF_8));
        }
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
