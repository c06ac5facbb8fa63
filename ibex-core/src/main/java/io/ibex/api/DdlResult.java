package io.ibex.api;

import java.util.List;

/** What 'ibex ddl' did: the databases it ran on, the targets that will run it at its point, and the point (null if none). */
public record DdlResult(List<String> ranOn, List<String> queuedFor, String point) {
}
