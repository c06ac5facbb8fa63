package io.ibex.spi;

import io.ibex.db.Pg;
import io.ibex.embedded.PostgresServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The COPY text decoder against PostgreSQL itself: rows PostgreSQL wrote with COPY TO decode to the values that
 * were stored, and text with octal and hex escapes, which PostgreSQL reads but never writes, decodes to what
 * PostgreSQL's COPY FROM makes of it.
 */
class CopyTextDecoderTest {

    static PostgresServer server;
    static Connection c;

    static final List<String> COLUMNS = List.of("a", "b", "i", "l", "n", "ok", "raw", "d", "ts", "arr");
    static final List<String> TYPES = List.of("text", "character varying(50)", "integer", "bigint", "numeric(30,6)", "boolean",
            "bytea", "double precision", "timestamp with time zone", "integer[]");

    @BeforeContainer
    static void start() throws SQLException {
        server = PostgresServer.start("17");
        c = server.connect("postgres");
        Pg.useStableTextFormat(c);
        Pg.exec(c, "CREATE TABLE t (a text, b varchar(50), i integer, l bigint, n numeric(30,6), ok boolean, raw bytea, "
                + "d double precision, ts timestamptz, arr integer[])");
        Pg.exec(c, "CREATE TABLE e (v text)");
    }

    @AfterContainer
    static void stop() throws SQLException {
        if (c != null) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    record Values(String a, String b, Integer i, Long l, BigDecimal n, Boolean ok, byte[] raw, Double d) {
    }

    /** Text of every kind COPY escapes: tabs, newlines, carriage returns, backslashes, control characters; and multibyte. */
    static Arbitrary<String> text(int maxLength) {
        return Arbitraries.strings().withChars("\t\n\r\b\f\u000b\\N.x ").withCharRange('\u0001', '\u007f')
                .withCharRange('\u00a0', '\u00ff').withCharRange('\u4e00', '\u4e0f').ofMaxLength(maxLength);
    }

    @Provide
    Arbitrary<Values> rows() {
        Arbitrary<String> a = text(40).injectNull(0.1);
        Arbitrary<String> b = text(50).injectNull(0.1);
        Arbitrary<Integer> i = Arbitraries.integers().injectNull(0.1);
        Arbitrary<Long> l = Arbitraries.longs().injectNull(0.1);
        Arbitrary<BigDecimal> n = Arbitraries.bigDecimals().between(new BigDecimal("-1e20"), new BigDecimal("1e20")).ofScale(6).injectNull(0.1);
        Arbitrary<Boolean> ok = Arbitraries.of(true, false).injectNull(0.1);
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(30).injectNull(0.1);
        Arbitrary<Double> d = Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE, Double.MAX_VALUE)).injectNull(0.1);
        return Combinators.combine(a, b, i, l, n, ok, raw, d).as(Values::new);
    }

    @Property(tries = 300)
    void rowsPostgresWroteDecodeToTheirValues(@ForAll("rows") Values v) throws Exception {
        Pg.exec(c, "TRUNCATE t");
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, '2024-02-29 23:59:59.5+02', '{1,NULL,3}')")) {
            ps.setString(1, v.a());
            ps.setString(2, v.b());
            ps.setObject(3, v.i());
            ps.setObject(4, v.l());
            ps.setBigDecimal(5, v.n());
            ps.setObject(6, v.ok());
            ps.setBytes(7, v.raw());
            ps.setObject(8, v.d());
            ps.executeUpdate();
        }
        List<Row> rows = decode(copyOut("COPY t TO STDOUT"), COLUMNS, TYPES);
        assertThat(rows).hasSize(1);
        Row r = rows.get(0);
        assertThat(r.get("a")).isEqualTo(v.a());
        assertThat(r.get("b")).isEqualTo(v.b());
        assertThat(r.get("i")).isEqualTo(v.i());
        assertThat(r.get("l")).isEqualTo(v.l());
        assertThat(r.get("n")).isEqualTo(v.n());
        assertThat(r.get("ok")).isEqualTo(v.ok());
        assertThat((byte[]) r.get("raw")).isEqualTo(v.raw());
        assertThat(r.get("d")).isEqualTo(v.d());
        assertThat(r.get("ts")).isEqualTo("2024-02-29 21:59:59.5+00");
        assertThat(r.get("arr")).isEqualTo("{1,NULL,3}");
    }

    @Property(tries = 300)
    void escapesDecodeAsPostgresReadsThem(@ForAll("escaped") String copyText) throws Exception {
        Pg.exec(c, "TRUNCATE e");
        long n = ((PGConnection) c.unwrap(PGConnection.class)).getCopyAPI().copyIn("COPY e FROM STDIN",
                new ByteArrayInputStream((copyText + "\n").getBytes(StandardCharsets.UTF_8)));
        assertThat(n).isEqualTo(1);
        String stored = Pg.queryString(c, "SELECT v FROM e");
        assertThat(CopyTextDecoder.decodeLine(copyText.getBytes(StandardCharsets.UTF_8))).containsExactly(stored);
    }

    /**
     * One field of COPY text that spells a string with every escape PostgreSQL accepts: named ones, octal of one to
     * three digits and hex of one or two for bytes (each byte of a multibyte character alike), and escaped ordinary
     * characters; followed where it matters by a digit that must not be taken into the escape.
     */
    @Provide
    Arbitrary<String> escaped() {
        return Combinators.combine(text(40).filter(s -> !s.isEmpty()), Arbitraries.longs()).as((s, seed) -> escape(s, new Random(seed)));
    }

    static String escape(String s, Random random) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int v = b & 0xff;
            int choice = random.nextInt(5);
            String named = switch (v) {
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                case 0x0b -> "\\v";
                case '\\' -> "\\\\";
                default -> null;
            };
            if (choice == 0) {
                out.append(String.format("\\%03o", v));
            } else if (choice == 1) {
                out.append(String.format("\\x%02x", v));
            } else if (choice == 2 && v < 8 && v > 0) {
                out.append("\\").append(Integer.toOctalString(v)); // short octal: the next character must not be a digit,
                out.append(random.nextBoolean() ? "\\t" : "\\x39"); // so an escape follows: a tab, or "9" spelled in hex
            } else if (named != null) {
                out.append(named);
            } else if (v < 0x80 && Character.isLetter(v) && "bfnrtvxN".indexOf(v) < 0 && choice == 3) {
                out.append('\\').append((char) v); // an escaped ordinary character stands for itself
            } else if (v >= 0x80 || v < 0x20) {
                out.append(String.format("\\x%02x", v));
            } else {
                out.append((char) v);
            }
        }
        String field = out.toString();
        return field.equals("\\N") ? "\\\\N" : field;
    }

    @Example
    void nullEmptyAndMultibyte() throws IOException {
        byte[] line = "\\N\t\t\\\\N\tça\\tva 😀\t\\342\\202\\254\\x41".getBytes(StandardCharsets.UTF_8);
        assertThat(CopyTextDecoder.decodeLine(line)).containsExactly(null, "", "\\N", "ça\tva 😀", "€A");
        List<Row> rows = decode("1\t\\N\n2\tb\n".getBytes(StandardCharsets.UTF_8), List.of("k", "v"), List.of("integer", "text"));
        assertThat(rows).extracting(r -> r.get("k")).containsExactly(1, 2);
        assertThat(rows).extracting(r -> r.get(1)).containsExactly(null, "b");
    }

    @Example
    void aLongStreamReadsAcrossBufferBoundaries() throws IOException {
        StringBuilder sb = new StringBuilder();
        List<String> want = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            String v = "row " + i + " ".repeat(i % 13) + "é";
            want.add(v);
            sb.append(i).append('\t').append(v.replace("\\", "\\\\")).append('\n');
        }
        List<Row> rows = decode(sb.toString().getBytes(StandardCharsets.UTF_8), List.of("k", "v"), List.of("bigint", "text"));
        assertThat(rows).hasSize(want.size());
        assertThat(rows.stream().map(r -> (String) r.get("v")).toList()).isEqualTo(want);
        assertThat(rows.get(19_999).get("k")).isEqualTo(19_999L);
    }

    static byte[] copyOut(String sql) throws SQLException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ((PGConnection) c.unwrap(PGConnection.class)).getCopyAPI().copyOut(sql, out);
        return out.toByteArray();
    }

    static List<Row> decode(byte[] copyText, List<String> columns, List<String> types) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (RowStream in = new RowStream(new ByteArrayInputStream(copyText), columns, types)) {
            for (Row r = in.next(); r != null; r = in.next()) {
                rows.add(r);
            }
        }
        return rows;
    }
}
