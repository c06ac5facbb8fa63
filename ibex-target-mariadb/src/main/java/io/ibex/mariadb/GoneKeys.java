package io.ibex.mariadb;

import io.ibex.model.KeyRange;
import io.ibex.model.TableInfo;
import io.ibex.spi.CopyTextTypes;
import io.ibex.spi.jdbc.TypeMapping;
import io.ibex.spi.jdbc.ValueEquality;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The changed keys of a batch whose rows did not come from the source (the rows were deleted there), found while the
 * rows of the others stream: either a list of keys, compared by value ({@link ValueEquality}, so that the key's text
 * in the change log and in the row need not be spelled alike), or every integer of a range (a bulk change of
 * consecutive ids), kept as a bit per key; what is missing there is deleted as runs of consecutive keys.
 */
final class GoneKeys {

    /** Widest range kept as bits (8 MB). */
    static final long MAX_RANGE = 64L << 20;
    /** Runs of missing keys per DELETE statement. */
    static final int RUNS_PER_DELETE = 2_000;

    private final TableInfo table;
    private final List<List<String>> keys;
    private final Set<String> loaded;
    private final long low;
    private final long high;
    private final BitSet present;

    private GoneKeys(TableInfo table, List<List<String>> keys, long low, long high) {
        this.table = table;
        this.keys = keys;
        this.low = low;
        this.high = high;
        this.loaded = keys == null ? null : new HashSet<>(keys.size() * 2);
        this.present = keys == null ? new BitSet((int) (high - low + 1)) : null;
    }

    /** Whether the range is of a single integer key and narrow enough to be kept as bits. */
    static boolean integerRange(TableInfo t, KeyRange range) {
        if (range == null || t.keyColumns().size() != 1 || !switch (TypeMapping.base(t.keyTypes().get(0))) {
            case "smallint", "integer", "bigint" -> true;
            default -> false;
        }) {
            return false;
        }
        try {
            long lo = Long.parseLong(range.low().get(0));
            long hi = Long.parseLong(range.high().get(0));
            return hi >= lo && hi - lo < MAX_RANGE;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static GoneKeys ofRange(TableInfo t, KeyRange range) {
        return new GoneKeys(t, null, Long.parseLong(range.low().get(0)), Long.parseLong(range.high().get(0)));
    }

    static GoneKeys ofKeys(TableInfo t, List<List<String>> keys) {
        return new GoneKeys(t, keys, 0, 0);
    }

    /** The key of a row that came, as the values of its COPY fields. */
    void seen(List<String> key) {
        if (present != null) {
            long k = Long.parseLong(key.get(0));
            if (k >= low && k <= high) {
                present.set((int) (k - low));
            }
            return;
        }
        loaded.add(identity(key));
    }

    private String identity(List<String> keyFields) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < keyFields.size(); i++) {
            String type = table.keyTypes().get(i);
            sb.append(ValueEquality.canonical(type, CopyTextTypes.value(type, keyFields.get(i)))).append('\u0000');
        }
        return sb.toString();
    }

    /** Deletes the keys no row came for; returns how many rows went. */
    long deleteGone(MariaDbTarget target, Connection c) throws SQLException {
        if (keys != null) {
            List<List<String>> gone = keys.stream().filter(k -> !loaded.contains(identity(k))).toList();
            return gone.isEmpty() ? 0 : target.deleteKeyFields(table, gone);
        }
        List<long[]> runs = new ArrayList<>();
        int width = (int) (high - low + 1);
        for (int from = present.nextClearBit(0); from < width; from = present.nextClearBit(from)) {
            int to = Math.min(present.nextSetBit(from) < 0 ? width : present.nextSetBit(from), width);
            runs.add(new long[] {low + from, low + to - 1});
            from = to;
        }
        long deleted = 0;
        String key = new MariaDbDialect().quote(table.keyColumns().get(0));
        for (int i = 0; i < runs.size(); i += RUNS_PER_DELETE) {
            List<long[]> part = runs.subList(i, Math.min(runs.size(), i + RUNS_PER_DELETE));
            StringBuilder sql = new StringBuilder("DELETE FROM ").append(new MariaDbDialect().quote(table.name())).append(" WHERE ");
            for (int r = 0; r < part.size(); r++) {
                sql.append(r == 0 ? "" : " OR ").append(key).append(" BETWEEN ? AND ?");
            }
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int p = 1;
                for (long[] run : part) {
                    ps.setLong(p++, run[0]);
                    ps.setLong(p++, run[1]);
                }
                deleted += ps.executeUpdate();
            }
        }
        return deleted;
    }
}
