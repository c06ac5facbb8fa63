package io.ibex.verify;

import java.util.List;

/**
 * A stretch of the key space: keys after {@code lower} up to and including {@code upper}, both source key values as
 * text in key column order; {@code null} means unbounded on that end.
 */
record KeyRange(List<String> lower, List<String> upper) {
}
