package io.ibex.redis;

import io.ibex.model.TableInfo;
import io.ibex.spi.CopyTextTypes;
import io.ibex.spi.Row;
import io.ibex.spi.Target;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A table's hashes read back as rows, for {@code ibex verify}: the keys found by SCAN, their hashes read with HGETALL,
 * pipelined a thousand at a time. The key's values come from the hash's key (a composite key split at its first
 * colons: a value with a colon can only be the last), the other columns from the hash's fields, each decoded from
 * COPY text by the column's type; a column without a field is null. A field that is no column of the table, or a
 * value its column's type cannot read, is appended to the row after its columns, so that the row differs from the
 * source's.
 */
final class RedisRows {

    private static final int KEYS_AT_ONCE = 1000;

    private RedisRows() {
    }

    static void read(Jedis jedis, RedisKeys keys, TableInfo table, Target.RowSink sink) throws IOException {
        String prefix = keys.tablePrefix(table);
        ScanParams params = new ScanParams().match(keys.pattern(table)).count(KEYS_AT_ONCE);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = jedis.scan(cursor, params);
            Pipeline p = jedis.pipelined();
            List<Response<Map<String, String>>> hashes = new ArrayList<>();
            for (String key : page.getResult()) {
                hashes.add(p.hgetAll(key));
            }
            p.sync();
            for (int i = 0; i < hashes.size(); i++) {
                Map<String, String> fields = hashes.get(i).get();
                if (!fields.isEmpty()) { // deleted between SCAN and HGETALL
                    sink.accept(row(table, prefix, page.getResult().get(i), fields));
                }
            }
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
    }

    static Row row(TableInfo table, String prefix, String key, Map<String, String> hash) throws IOException {
        List<String> keyColumns = table.keyColumns();
        String[] keyValues = keyColumns.size() == 1 ? new String[] {key.substring(prefix.length())}
                : key.substring(prefix.length()).split(":", keyColumns.size());
        if (keyValues.length != keyColumns.size()) {
            throw new IOException("the hash " + key + " is not named by the " + keyColumns.size() + " key columns of " + table.qualifiedName());
        }
        Map<String, String> fields = new TreeMap<>(hash);
        List<String> columns = new ArrayList<>(table.columnNames());
        List<Object> values = new ArrayList<>();
        List<String> odd = new ArrayList<>();
        for (TableInfo.Column c : table.columns()) {
            int k = keyColumns.indexOf(c.name());
            String text = k >= 0 ? keyValues[k] : fields.remove(c.name());
            try {
                values.add(CopyTextTypes.value(c.type(), text));
            } catch (IllegalArgumentException e) {
                if (k >= 0) {
                    throw new IOException("the hash " + key + " is not named by a key of " + table.qualifiedName() + ": " + text
                            + " is no " + c.type());
                }
                values.add(null);
                odd.add(c.name() + "=" + text);
            }
        }
        fields.forEach((f, v) -> odd.add(f + "=" + v)); // fields of no column, and a key column written as a field
        for (String o : odd) {
            columns.add("?" + o.substring(0, o.indexOf('=')));
            values.add(o);
        }
        return new Row(Collections.unmodifiableList(columns), Collections.unmodifiableList(values));
    }
}
