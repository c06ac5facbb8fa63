package io.ibex.spi;

import io.ibex.model.TableInfo;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A COPY text stream of a table's keys or rows read as {@link Row}s of typed values, for adapters that need values. */
public final class RowStream implements AutoCloseable {

    private final InputStream in;
    private final CopyTextDecoder decoder;
    private final List<String> columns;
    private final List<String> types;

    public RowStream(InputStream in, List<String> columns, List<String> types) {
        if (columns.size() != types.size()) {
            throw new IllegalArgumentException(columns.size() + " columns but " + types.size() + " types");
        }
        this.in = in;
        this.decoder = new CopyTextDecoder(in);
        this.columns = List.copyOf(columns);
        this.types = List.copyOf(types);
    }

    /** The changed keys of a table, as {@link Target#deleteKeys} gets them. */
    public static RowStream keys(TableInfo table, InputStream in) {
        return new RowStream(in, table.keyColumns(), table.keyTypes());
    }

    /** Rows of a table in the order of its columns, as {@link Target#insertRows} gets them. */
    public static RowStream rows(TableInfo table, InputStream in) {
        return new RowStream(in, table.columnNames(), table.columns().stream().map(TableInfo.Column::type).toList());
    }

    public List<String> columns() {
        return columns;
    }

    /** The next row, or null at the end. */
    public Row next() throws IOException {
        List<String> fields = decoder.next();
        if (fields == null) {
            return null;
        }
        if (fields.size() != columns.size()) {
            throw new IOException("a COPY row has " + fields.size() + " fields, not " + columns.size() + " (" + String.join(", ", columns) + ")");
        }
        List<Object> values = new ArrayList<>(fields.size());
        for (int i = 0; i < fields.size(); i++) {
            values.add(CopyTextTypes.value(types.get(i), fields.get(i)));
        }
        return new Row(columns, Collections.unmodifiableList(values));
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
