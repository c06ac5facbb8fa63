package io.ibex.spi;

import io.ibex.IbexException;
import io.ibex.model.TableInfo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The foreign keys among a sync's tables on a target whose foreign-key checks fire (replica_mode=none), as an
 * adapter read them from the target's catalog: in what order its tables must be written. Rows go in parents first and out children
 * first. A table that references itself needs no order (a statement's foreign-key checks run at its end); tables
 * that reference each other in a cycle cannot be ordered, and reading the order then fails with one line.
 */
public final class ForeignKeyOrder {

    private static final ForeignKeyOrder NONE = new ForeignKeyOrder(Map.of(), Set.of(), Set.of(), Map.of());

    /** Per table (qualified name), the other tables of the set it references. */
    private final Map<String, Set<String>> parents;
    /** Tables some foreign key (from any table of the target, itself included) references. */
    private final Set<String> referenced;
    private final Set<String> selfReferencing;
    /** Depth in the graph: 0 for a table that references none of the set. */
    private final Map<String, Integer> level;

    private ForeignKeyOrder(Map<String, Set<String>> parents, Set<String> referenced, Set<String> selfReferencing,
                            Map<String, Integer> level) {
        this.parents = parents;
        this.referenced = referenced;
        this.selfReferencing = selfReferencing;
        this.level = level;
    }

    /** No order: the target holds its foreign keys off. */
    public static ForeignKeyOrder none() {
        return NONE;
    }

    public boolean matters() {
        return !referenced.isEmpty();
    }

    /**
     * The order of a set of tables from their foreign keys as a target's catalog has them: per table of the set the
     * others it references, every table some foreign key references, and those that reference themselves. Throws a
     * one-line error naming the tables of a cycle.
     */
    public static ForeignKeyOrder of(String dbName, Map<String, Set<String>> parents, Set<String> referenced, Set<String> selfReferencing) {
        return new ForeignKeyOrder(parents, referenced, selfReferencing, levels(dbName, parents));
    }

    /** Each table's level (longest path to a table without parents), or the cycle error. */
    private static Map<String, Integer> levels(String dbName, Map<String, Set<String>> parents) {
        Map<String, Integer> level = new HashMap<>();
        Set<String> left = new TreeSet<>(parents.keySet());
        while (!left.isEmpty()) {
            List<String> ready = left.stream().filter(t -> level.keySet().containsAll(parents.get(t))).toList();
            if (ready.isEmpty()) {
                throw new IbexException("database \"" + dbName + "\": tables " + String.join(", ", cycle(left, parents))
                        + " reference each other through foreign keys, so with replica_mode=none no order of the copy satisfies "
                        + "them: use a replica_function (see 'ibex sql replica_function ROLE') or drop one of those foreign keys on the target");
            }
            for (String t : ready) {
                level.put(t, parents.get(t).stream().mapToInt(p -> level.get(p) + 1).max().orElse(0));
            }
            ready.forEach(left::remove);
        }
        return level;
    }

    /** Of the tables no order could place, those on a cycle (not merely below one). */
    private static Set<String> cycle(Set<String> left, Map<String, Set<String>> parents) {
        Set<String> on = new TreeSet<>(left);
        boolean changed = true;
        while (changed) { // drop the tables no other remaining table references: they only hang below a cycle
            changed = on.removeIf(t -> on.stream().noneMatch(o -> parents.get(o).contains(t)));
        }
        return on;
    }

    /** The same order with every table's name passed through rename (a target that writes tables under other names). */
    public ForeignKeyOrder renamed(Function<String, String> rename) {
        if (this == NONE) {
            return this;
        }
        Map<String, Set<String>> p = new HashMap<>();
        parents.forEach((t, ps) -> p.put(rename.apply(t), ps.stream().map(rename).collect(java.util.stream.Collectors.toSet())));
        Map<String, Integer> l = new HashMap<>();
        level.forEach((t, v) -> l.put(rename.apply(t), v));
        return new ForeignKeyOrder(p, referenced.stream().map(rename).collect(java.util.stream.Collectors.toSet()),
                selfReferencing.stream().map(rename).collect(java.util.stream.Collectors.toSet()), l);
    }

    /** The items in an order in which every table comes after the tables it references. */
    public <T> List<T> parentsFirst(List<T> items, Function<T, TableInfo> table) {
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingInt(i -> levelOf(table.apply(i))));
        return sorted;
    }

    /** The items in an order in which every table comes before the tables it references. */
    public <T> List<T> childrenFirst(List<T> items, Function<T, TableInfo> table) {
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingInt((T i) -> levelOf(table.apply(i))).reversed());
        return sorted;
    }

    private int levelOf(TableInfo t) {
        return level.getOrDefault(t.qualifiedName(), 0);
    }

    /** The tables of the set the table references (not itself). */
    public Set<String> parentsOf(TableInfo t) {
        return parents.getOrDefault(t.qualifiedName(), Set.of());
    }

    /** Whether a foreign key references the table: its rows must then be updated in place, not deleted and inserted. */
    public boolean isReferenced(TableInfo t) {
        return referenced.contains(t.qualifiedName());
    }

    public boolean referencesItself(TableInfo t) {
        return selfReferencing.contains(t.qualifiedName());
    }
}
