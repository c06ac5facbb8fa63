package io.ibex.model;

import java.util.List;

/** A named set of tables and sequences of one database (Bucardo also says herd). */
public record RelGroup(String name, List<Relation> members) {
}
