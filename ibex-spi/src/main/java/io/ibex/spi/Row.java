package io.ibex.spi;

import java.util.List;

/**
 * One row (or key) of a table as typed values, in the order of its columns: what an adapter that does not take
 * COPY text writes. The Java type of each value is {@link CopyTextTypes}'s for the column's type; null for NULL.
 */
public record Row(List<String> columns, List<Object> values) {

    public Object get(int i) {
        return values.get(i);
    }

    public Object get(String column) {
        int i = columns.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("no column " + column + " in " + columns);
        }
        return values.get(i);
    }
}
