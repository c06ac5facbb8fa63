package io.ibex.settings;

import io.ibex.IbexException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The global settings ({@code ibex set}, {@code ibex show}), each with its default, read from the repository's
 * name/value table. The daemon builds a new one at each reload and its workers read the current one; nothing else
 * holds a setting. logLevel is empty when the repository has none: the daemon then keeps its command line's level.
 *
 * @param copyParallelism      tables (or slices of one table) copied at a time
 * @param gatherMs             the least pause after a run before an autokick starts the next (see SyncWorker)
 * @param gatherMaxMs          the longest such pause, after a busy run
 * @param maxBackoffSeconds    the longest pause before a failed sync is retried
 * @param pollMs               how often a source's activity counter is read
 * @param purgeIntervalSeconds how often the change rows every consumer has received are deleted
 * @param sliceKeys            the most keys of one table applied in one transaction
* @param createTables         whether a copy (onetimecopy, fullcopy) creates the target tables it lacks (issue 25)
 * @param copySplitRows        above this many (estimated) rows, an onetimecopy copies a table with one integer key in
 *                             resumable ranges of about copy_split_rows rows (at least two per worker), several at a time (issue 25)
 * @param httpListen           where the daemon serves /metrics and its status page (see {@link HttpListen})
 * @param statusIntervalSeconds how often the daemon measures lag, backlog and its databases for that
 * @param leaseSeconds         how long a daemon's lease on a sync lasts unrenewed (renewed every third of it): another
 *                             daemon takes the sync over within twice this after the owner died (issue 22)
 */
public record Settings(int copyParallelism, long gatherMs, long gatherMaxMs, Optional<LogLevel> logLevel,
                       long maxBackoffSeconds, long pollMs, long purgeIntervalSeconds, int sliceKeys,
                       boolean createTables, int copySplitRows, HttpListen httpListen, long statusIntervalSeconds,
                       int leaseSeconds) {

    public static final String COPY_PARALLELISM = "copy_parallelism";
    public static final String GATHER_MS = "gather_ms";
    public static final String GATHER_MAX_MS = "gather_max_ms";
    public static final String LOG_LEVEL = "log_level";
    public static final String MAX_BACKOFF = "max_backoff";
    public static final String POLL_MS = "poll_ms";
    public static final String PURGE_INTERVAL = "purge_interval";
    public static final String SLICE_KEYS = "slice_keys";
    public static final String CREATE_TABLES = "create_tables";
    public static final String COPY_SPLIT_ROWS = "copy_split_rows";
    public static final String HTTP_LISTEN = "http_listen";
    public static final String STATUS_INTERVAL = "status_interval";
    public static final String LEASE_SECONDS = "lease_seconds";

    /** Every setting's name and default, in name order: what {@code ibex show} prints for a fresh repository. */
    public static final Map<String, String> DEFAULTS = Collections.unmodifiableMap(new TreeMap<>(Map.ofEntries(
            Map.entry(HTTP_LISTEN, HttpListen.DEFAULT),
            Map.entry(STATUS_INTERVAL, "10"),
            Map.entry(LEASE_SECONDS, "15"),
            Map.entry(COPY_PARALLELISM, "2"),
            Map.entry(GATHER_MS, "20"),
            Map.entry(GATHER_MAX_MS, "500"),
            Map.entry(LOG_LEVEL, LogLevel.NORMAL.text()),
            Map.entry(MAX_BACKOFF, "60"),
            Map.entry(POLL_MS, "10"),
            Map.entry(PURGE_INTERVAL, "30"),
            Map.entry(SLICE_KEYS, "500000"),
            Map.entry(CREATE_TABLES, "on"),
            Map.entry(COPY_SPLIT_ROWS, "1000000"))));


    public Settings {
        if (logLevel == null) {
            throw new IllegalArgumentException("logLevel: Optional.empty() when not set, not null");
        }
        if (httpListen == null) {
            throw new IllegalArgumentException("httpListen: HttpListen.OFF when off, not null");
        }
    }

    /** The settings before create_tables, copy_split_rows, http_listen and status_interval, those at their defaults. */
    public Settings(int copyParallelism, long gatherMs, long gatherMaxMs, Optional<LogLevel> logLevel,
                    long maxBackoffSeconds, long pollMs, long purgeIntervalSeconds, int sliceKeys) {
        this(copyParallelism, gatherMs, gatherMaxMs, logLevel, maxBackoffSeconds, pollMs, purgeIntervalSeconds, sliceKeys,
                true, 1_000_000, HttpListen.parse(HttpListen.DEFAULT), 10, 15);
    }

    /** Every setting at its default, log_level not set. */
    public static Settings defaults() {
        return parse(Map.of());
    }

    /**
     * The settings the repository holds (names lower case, as {@code ibex set} stores them), defaults for the rest.
     * Names that are not settings are ignored.
     *
     * @throws IbexException naming every bad value, one sentence each
     */
    public static Settings parse(Map<String, String> stored) {
        Map<String, String> known = new TreeMap<>(stored);
        known.keySet().retainAll(DEFAULTS.keySet());
        List<String> bad = validate(known);
        if (!bad.isEmpty()) {
            throw new IbexException(String.join("; ", bad));
        }
        return new Settings(
                number(stored, COPY_PARALLELISM),
                number(stored, GATHER_MS),
                number(stored, GATHER_MAX_MS),
                Optional.ofNullable(stored.get(LOG_LEVEL)).flatMap(LogLevel::of),
                number(stored, MAX_BACKOFF),
                number(stored, POLL_MS),
                number(stored, PURGE_INTERVAL),
                number(stored, SLICE_KEYS),
                onOff(stored.getOrDefault(CREATE_TABLES, DEFAULTS.get(CREATE_TABLES))),
                number(stored, COPY_SPLIT_ROWS),
                HttpListen.parse(stored.getOrDefault(HTTP_LISTEN, HttpListen.DEFAULT)),
                number(stored, STATUS_INTERVAL),
                number(stored, LEASE_SECONDS));
    }

    /** One sentence per bad value among these (every number a positive whole number, log_level one of four words). */
    public static List<String> validate(Map<String, String> values) {
        List<String> bad = new ArrayList<>();
        new TreeMap<>(values).forEach((name, value) -> problem(name, value).ifPresent(bad::add));
        return bad;
    }

    /** The sentence that refuses this value of this setting, if it is refused (name in any case). */
    public static Optional<String> problem(String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        if (!DEFAULTS.containsKey(key)) {
            return Optional.of("unknown setting \"" + name + "\": one of " + String.join(", ", DEFAULTS.keySet()));
        }
        if (key.equals(LOG_LEVEL)) {
            return LogLevel.of(value).isPresent() ? Optional.empty()
                    : Optional.of("log_level must be terse, normal, verbose or debug, not \"" + value + "\"");
        }
        if (key.equals(CREATE_TABLES)) {
            return value != null && List.of("on", "off", "true", "false", "1", "0").contains(value.toLowerCase(Locale.ROOT))
                    ? Optional.empty() : Optional.of("create_tables must be on or off, not \"" + value + "\"");
        }
        if (key.equals(HTTP_LISTEN)) {
            return HttpListen.problem(value);
        }
        try {
            if (Integer.parseInt(value) > 0) {
                return Optional.empty();
            }
        } catch (NumberFormatException e) {
            // the sentence below
        }
        return Optional.of(key + " must be a positive whole number, not \"" + value + "\"");
    }

    /** The same check for values built in code: one sentence per value that is not positive. */
    public List<String> validate() {
        List<String> bad = new ArrayList<>();
        Map<String, Long> numbers = new TreeMap<>(Map.of(COPY_PARALLELISM, (long) copyParallelism, GATHER_MS, gatherMs,
                GATHER_MAX_MS, gatherMaxMs, MAX_BACKOFF, maxBackoffSeconds, POLL_MS, pollMs,
                PURGE_INTERVAL, purgeIntervalSeconds, SLICE_KEYS, (long) sliceKeys, COPY_SPLIT_ROWS, (long) copySplitRows,
                STATUS_INTERVAL, statusIntervalSeconds));
        numbers.put(LEASE_SECONDS, (long) leaseSeconds);
        numbers.forEach((name, value) -> {
            if (value <= 0) {
                bad.add(name + " must be a positive whole number, not \"" + value + "\"");
            }
        });
        return bad;
    }

    public long maxBackoffMs() {
        return 1000L * maxBackoffSeconds;
    }

    public long purgeIntervalMs() {
        return 1000L * purgeIntervalSeconds;
    }

    public Settings withGatherMs(long ms) {
        return new Settings(copyParallelism, ms, gatherMaxMs, logLevel, maxBackoffSeconds, pollMs, purgeIntervalSeconds, sliceKeys,
                createTables, copySplitRows, httpListen, statusIntervalSeconds, leaseSeconds);
    }

    public long leaseMs() {
        return 1000L * leaseSeconds;
    }

    private static boolean onOff(String value) {
        return List.of("on", "true", "1").contains(value.toLowerCase(Locale.ROOT));
    }

    private static int number(Map<String, String> stored, String name) {
        return Integer.parseInt(stored.getOrDefault(name, DEFAULTS.get(name)));
    }
}
