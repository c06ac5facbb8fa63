package io.ibex.api;

import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.model.CustomName;
import io.ibex.model.TableInfo;
import io.ibex.spi.Row;
import io.ibex.spi.RowStream;
import io.ibex.spi.Target;
import io.ibex.spi.jdbc.ValueEquality;
import io.ibex.verify.CompareResult;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ibex verify} against a target that is not PostgreSQL: the source's rows and the target's are reduced to
 * canonical values ({@link ValueEquality}: what equality means per type) and compared key by key. The source's side
 * is held in memory as one 64-bit hash per key (about 100 bytes a row), then the target's rows are read once.
 */
public final class ValueVerifier {
    private ValueVerifier() {
    }

    /** onTarget: the table's customname on the target, or null (the target reads it under its own name). */
    public static CompareResult compare(Connection source, Target target, TableInfo t, CustomName onTarget, int maxKeys)
            throws SQLException, IOException {
        TableInfo read = onTarget == null ? t : new TableInfo(onTarget.schema(), onTarget.name(), t.columns(), t.keyColumns(), t.keyTypes());
        Map<String, Long> expected = new HashMap<>();
        List<String> types = t.columns().stream().map(TableInfo.Column::type).toList();
        List<Integer> keyAt = t.keyColumns().isEmpty() // a table without a key (fullcopy): each row is its own key
                ? java.util.stream.IntStream.range(0, types.size()).boxed().toList()
                : t.keyColumns().stream().map(k -> t.columnNames().indexOf(k)).toList();
        Pg.useStableTextFormat(source);
        String copy = "COPY (SELECT " + Sql.idents(t.columnNames()) + " FROM ONLY " + Sql.qualified(t.schema(), t.name()) + ") TO STDOUT";
        try (RowStream rows = RowStream.rows(t, new PGCopyInputStream(source.unwrap(PGConnection.class), copy))) {
            boolean keyOnlyRowsKept = target.holdsRowsWithoutValues();
            for (Row r = rows.next(); r != null; r = rows.next()) {
                if (!keyOnlyRowsKept && onlyKey(r, keyAt)) {
                    continue; // the target holds no such row (Redis: no empty hash), so none is expected
                }
                expected.put(key(r, keyAt, types), hash(r, types));
            }
        }
        long sourceRows = expected.size();
        long[] counts = new long[3]; // target rows, extra, different
        List<CompareResult.KeyDifference> diffs = new ArrayList<>();
        target.readRows(read, r -> {
            counts[0]++;
            String k = key(r, keyAt, types);
            Long h = expected.remove(k);
            CompareResult.Kind kind = h == null ? CompareResult.Kind.EXTRA_ON_TARGET : h != hash(r, types) ? CompareResult.Kind.DIFFERENT : null;
            if (kind != null) {
                counts[kind == CompareResult.Kind.EXTRA_ON_TARGET ? 1 : 2]++;
                if (diffs.size() < maxKeys) {
                    diffs.add(new CompareResult.KeyDifference(kind, List.of(k.split("\u0000", -1))));
                }
            }
        });
        for (String k : expected.keySet()) {
            if (diffs.size() >= maxKeys) {
                break;
            }
            diffs.add(new CompareResult.KeyDifference(CompareResult.Kind.MISSING_ON_TARGET, List.of(k.split("\u0000", -1))));
        }
        long differing = expected.size() + counts[1] + counts[2];
        return new CompareResult(sourceRows, counts[0], expected.size(), counts[1], counts[2], diffs, 1, differing == 0 ? 0 : 1);
    }

    private static String key(Row r, List<Integer> keyAt, List<String> types) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < keyAt.size(); i++) {
            int at = keyAt.get(i);
            sb.append(i == 0 ? "" : "\u0000").append(ValueEquality.canonical(types.get(at), r.get(at)));
        }
        return sb.toString();
    }

    /** Whether every column but the key's is null. */
    private static boolean onlyKey(Row r, List<Integer> keyAt) {
        for (int i = 0; i < r.values().size(); i++) {
            if (r.get(i) != null && !keyAt.contains(i)) {
                return false;
            }
        }
        return true;
    }

    /** The row's canonical values; what a target read beyond the table's columns (a field of no column) counts too. */
    private static long hash(Row r, List<String> types) {
        MessageDigest md = sha256();
        for (int i = 0; i < types.size(); i++) {
            String v = ValueEquality.canonical(types.get(i), r.get(i));
            md.update(v == null ? new byte[] {0} : ("\u0001" + v + "\u0000").getBytes(StandardCharsets.UTF_8));
        }
        for (int i = types.size(); i < r.values().size(); i++) {
            md.update(("\u0002" + r.get(i) + "\u0000").getBytes(StandardCharsets.UTF_8));
        }
        return ByteBuffer.wrap(md.digest()).getLong();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
