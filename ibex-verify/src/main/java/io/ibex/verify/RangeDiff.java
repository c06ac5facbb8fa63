package io.ibex.verify;

import io.ibex.verify.CompareResult.Kind;
import io.ibex.verify.TableSql.Row;

import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names the differing rows of one key range: the source's rows of the range (at most about a chunk) are held by key
 * identity, the target's are streamed past them. Both sides list the range in the same key order, so when a target
 * row matches a source row, every unmatched source row before it is missing on the target; the differences come out
 * in key order, except that a target-only row may come before missing rows that precede it.
 */
final class RangeDiff {
    private RangeDiff() {
    }

    static void find(TableSql source, TableSql target, KeyRange range, Differences out) throws SQLException {
        LinkedHashMap<String, Row> pending = new LinkedHashMap<>();
        source.forEachRow(range, row -> pending.put(row.identity(), row));
        target.forEachRow(range, row -> {
            Row match = pending.get(row.identity());
            if (match == null) {
                out.add(Kind.EXTRA_ON_TARGET, row.key());
                return;
            }
            Iterator<Map.Entry<String, Row>> it = pending.entrySet().iterator();
            while (true) {
                Row earlier = it.next().getValue();
                it.remove();
                if (earlier == match) {
                    break;
                }
                out.add(Kind.MISSING_ON_TARGET, earlier.key());
            }
            if (!match.hash().equals(row.hash())) {
                out.add(Kind.DIFFERENT, match.key());
            }
        });
        for (Row missing : pending.values()) {
            out.add(Kind.MISSING_ON_TARGET, missing.key());
        }
    }
}
