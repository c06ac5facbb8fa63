package io.ibex.api;

import java.util.List;

/** What one target of a sync lacked ({@code ibex copy schema}), and the statements that create it (run unless dry-run). */
public record TargetSchema(String target, int tables, int sequences, List<String> statements) {
}
