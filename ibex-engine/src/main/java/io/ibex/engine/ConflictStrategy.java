package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.spi.ConflictResolver;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a conflict between sources is decided: {@code latest} (the newest change of that row wins; ties go to the
 * first database name in alphabetical order), {@code latest_table} (Bucardo's bucardo_latest_all_tables: the
 * database with the newest change to the whole table in the batch wins every conflicting key of that table), an ordered list of database names (the first listed that changed
 * the key wins), {@code skip} (nobody wins: the key stays as it is on each database), {@code abort} (the sync
 * stops) or {@code custom:ClassName} (a {@link ConflictResolver}).
 */
public final class ConflictStrategy {

    public enum Kind { LATEST, TABLE_LATEST, LIST, SKIP, ABORT, CUSTOM }

    private final Kind kind;
    private final String text;
    private final List<String> order;
    private final ConflictResolver custom;

    private ConflictStrategy(Kind kind, String text, List<String> order, ConflictResolver custom) {
        this.kind = kind;
        this.text = text;
        this.order = order;
        this.custom = custom;
    }

    /** Parses and checks a strategy; databases are the sync's sources, for the list form. */
    public static ConflictStrategy parse(String text, List<String> databases) {
        String t = text == null ? "latest" : text.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "latest", "default", "bucardo_latest":
                return new ConflictStrategy(Kind.LATEST, "latest", List.of(), null);
            case "latest_table", "bucardo_latest_all_tables", "latest_all":
                return new ConflictStrategy(Kind.TABLE_LATEST, "latest_table", List.of(), null);
            case "skip", "bucardo_skip":
                return new ConflictStrategy(Kind.SKIP, "skip", List.of(), null);
            case "abort", "bucardo_abort":
                return new ConflictStrategy(Kind.ABORT, "abort", List.of(), null);
            default:
                break;
        }
        if (lower.startsWith("custom:")) {
            String cls = t.substring("custom:".length()).trim();
            return new ConflictStrategy(Kind.CUSTOM, t, List.of(), load(cls));
        }
        List<String> names = Arrays.stream(t.split("[\\s,]+")).filter(s -> !s.isEmpty()).toList();
        for (String n : names) {
            if (!databases.contains(n)) {
                throw new IbexException("conflict_strategy \"" + t + "\": \"" + n + "\" is not a source database of the sync"
                        + " (use latest, latest_table, skip, abort, custom:ClassName, or source database names in order of precedence)");
            }
        }
        return new ConflictStrategy(Kind.LIST, String.join(" ", names), names, null);
    }

    private static ConflictResolver load(String cls) {
        try {
            Class<?> c = Class.forName(cls, true, Thread.currentThread().getContextClassLoader());
            if (!ConflictResolver.class.isAssignableFrom(c)) {
                throw new IbexException("conflict resolver " + cls + " does not implement " + ConflictResolver.class.getName());
            }
            return (ConflictResolver) c.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IbexException("conflict resolver class " + cls + " is not on the class path (set IBEX_CLASSPATH)");
        } catch (ReflectiveOperationException e) {
            throw new IbexException("cannot create conflict resolver " + cls + ": " + e);
        }
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String toString() {
        return text;
    }

    /** The winning database, or null for none (skip). Not called for ABORT. */
    public String winner(ConflictResolver.Conflict conflict) {
        return winner(conflict, Map.of());
    }

    /**
     * As {@link #winner(ConflictResolver.Conflict)}; newestInTable: per source, its newest change to the conflict's
     * table in the batch (what latest_table decides by).
     */
    public String winner(ConflictResolver.Conflict conflict, Map<String, Long> newestInTable) {
        Map<String, Long> at = conflict.changedAt();
        return switch (kind) {
            case TABLE_LATEST -> newest(at.keySet().stream().collect(java.util.stream.Collectors.toMap(db -> db,
                    db -> newestInTable.getOrDefault(db, at.get(db)))));
            case LATEST -> newest(at);

            case LIST -> order.stream().filter(at::containsKey).findFirst()
                    .orElseGet(() -> at.keySet().stream().sorted().findFirst().orElse(null));
            case SKIP, ABORT -> null;
            case CUSTOM -> {
                String w = custom.resolve(conflict);
                if (w != null && !at.containsKey(w)) {
                    throw new IbexException("conflict resolver " + text + " chose \"" + w + "\", which did not change the key");
                }
                yield w;
            }
        };
    }

    /** The database with the newest time; ties go to the first name in alphabetical order. */
    private static String newest(Map<String, Long> at) {
        return at.entrySet().stream()
                .max(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue)
                        .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                .map(Map.Entry::getKey).orElse(null);
    }
}
