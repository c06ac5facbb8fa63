package io.ibex.spi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads PostgreSQL's COPY text format (the sessions ibex opens use UTF-8): one row a line, fields separated by a
 * tab, {@code \N} for null, and backslash escapes \b \f \n \r \t \v \\, octal \N to \NNN and hex \xN to \xNN (the
 * last two are bytes, so a multibyte character may be spelled in several), any other escaped character standing for
 * itself. Works on bytes: a tab or newline byte never occurs inside a multibyte UTF-8 character.
 */
public final class CopyTextDecoder {

    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private int pos;
    private int end;

    public CopyTextDecoder(InputStream in) {
        this.in = in;
    }

    /** The fields of the next row, null for a null field; null at the end of the stream. */
    public List<String> next() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        boolean any = false;
        while (true) {
            if (pos == end) {
                end = in.read(buffer, 0, buffer.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    return any ? decodeLine(line.toByteArray()) : null;
                }
            }
            any = true;
            int start = pos;
            while (pos < end && buffer[pos] != '\n') {
                pos++;
            }
            line.write(buffer, start, pos - start);
            if (pos < end) {
                pos++; // the newline
                byte[] bytes = line.toByteArray();
                if (bytes.length == 2 && bytes[0] == '\\' && bytes[1] == '.') {
                    return null; // the end-of-data marker of older clients
                }
                return decodeLine(bytes);
            }
        }
    }

    /** The fields of one line (without its newline). */
    public static List<String> decodeLine(byte[] line) {
        int len = line.length;
        if (len > 0 && line[len - 1] == '\r') {
            len--; // a CRLF file; a carriage return in the data is always escaped
        }
        List<String> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= len; i++) {
            if (i == len || line[i] == '\t') {
                fields.add(field(line, start, i));
                start = i + 1;
            }
        }
        return fields;
    }

    /** One field, unescaped; null for \N. */
    public static String field(byte[] b, int from, int to) {
        if (to - from == 2 && b[from] == '\\' && b[from + 1] == 'N') {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        int i = from;
        while (i < to) {
            byte c = b[i++];
            if (c != '\\' || i == to) {
                out.write(c);
                continue;
            }
            byte e = b[i++];
            switch (e) {
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(0x0b);
                case 'x' -> {
                    int v = 0;
                    int n = 0;
                    while (n < 2 && i < to && Character.digit(b[i], 16) >= 0) {
                        v = v * 16 + Character.digit(b[i++], 16);
                        n++;
                    }
                    out.write(n == 0 ? 'x' : v); // "\x" without a hex digit is a plain x, as PostgreSQL reads it
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int n = 1; n < 3 && i < to && b[i] >= '0' && b[i] <= '7'; n++) {
                            v = v * 8 + (b[i++] - '0');
                        }
                        out.write(v & 0xff);
                    } else {
                        out.write(e);
                    }
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
