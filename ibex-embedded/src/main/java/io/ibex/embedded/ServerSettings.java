package io.ibex.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Adapts postgresql.conf settings to the server's major version: an old postmaster refuses to start on a {@code -c}
 * name it does not know, so settings newer (or older) than the version are translated where a predecessor exists
 * ({@code max_wal_size} becomes {@code checkpoint_segments} before 9.5, {@code wal_level=replica} becomes
 * {@code hot_standby} before 9.6) and dropped with a warning otherwise. Unlisted names pass unchanged.
 */
public final class ServerSettings {
    private static final Logger LOG = LoggerFactory.getLogger(ServerSettings.class);

    /** name -> {first version that knows it, first version that no longer does (0: still known)}. */
    private static final Map<String, int[]> KNOWN = Map.ofEntries(
            Map.entry("max_wal_size", new int[] {90500, 0}),
            Map.entry("min_wal_size", new int[] {90500, 0}),
            Map.entry("checkpoint_segments", new int[] {0, 90500}),
            Map.entry("wal_keep_segments", new int[] {0, 130000}),
            Map.entry("wal_keep_size", new int[] {130000, 0}),
            Map.entry("max_replication_slots", new int[] {90400, 0}),
            Map.entry("max_worker_processes", new int[] {90400, 0}),
            Map.entry("wal_log_hints", new int[] {90400, 0}),
            Map.entry("track_commit_timestamp", new int[] {90500, 0}),
            Map.entry("cluster_name", new int[] {90500, 0}),
            Map.entry("idle_in_transaction_session_timeout", new int[] {90600, 0}),
            Map.entry("max_parallel_workers_per_gather", new int[] {90600, 0}),
            Map.entry("max_parallel_workers", new int[] {100000, 0}),
            Map.entry("jit", new int[] {110000, 0}),
            Map.entry("shared_memory_type", new int[] {120000, 0}),
            Map.entry("stats_temp_directory", new int[] {0, 150000}),
            Map.entry("vacuum_defer_cleanup_age", new int[] {0, 160000}));

    private ServerSettings() {
    }

    /** "9.3" -> 90300, "17" -> 170000 (the server_version_num of the major version's first release). */
    public static int versionNum(String majorVersion) {
        String[] parts = majorVersion.split("\\.");
        int major = Integer.parseInt(parts[0]);
        return major >= 10 ? major * 10000 : major * 10000 + Integer.parseInt(parts[1]) * 100;
    }

    /** The settings the given server version understands, in the same order. */
    public static Map<String, String> forVersion(int versionNum, Map<String, String> settings) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            String value = e.getValue();
            if (name.equals("max_wal_size") && versionNum < 90500) {
                // 9.5 release notes: max_wal_size = 3 * checkpoint_segments * 16MB
                out.put("checkpoint_segments", Long.toString(Math.max(1, megabytes(value) / 48)));
            } else if (name.equals("wal_keep_size") && versionNum < 130000) {
                out.put("wal_keep_segments", Long.toString(Math.max(0, megabytes(value) / 16)));
            } else if (name.equals("wal_level") && versionNum < 90600 && value.equalsIgnoreCase("replica")) {
                out.put(name, "hot_standby");
            } else if (name.equals("wal_level") && versionNum < 90400 && value.equalsIgnoreCase("logical")) {
                LOG.warn("PostgreSQL {} has no wal_level=logical; using hot_standby", versionNum);
                out.put(name, "hot_standby");
            } else if (known(name, versionNum)) {
                out.put(e.getKey(), value);
            } else {
                LOG.warn("PostgreSQL {} does not know the setting {}; left out", versionNum, e.getKey());
            }
        }
        return out;
    }

    private static boolean known(String name, int versionNum) {
        int[] range = KNOWN.get(name);
        return range == null || (versionNum >= range[0] && (range[1] == 0 || versionNum < range[1]));
    }

    /** A size setting in MB: "1GB", "512MB", "65536kB"; a bare number is taken as MB. */
    static long megabytes(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        String digits = v.replaceAll("[^0-9].*$", "");
        long n = Long.parseLong(digits);
        String unit = v.substring(digits.length()).trim();
        return switch (unit) {
            case "KB" -> n / 1024;
            case "GB" -> n * 1024;
            case "TB" -> n * 1024 * 1024;
            case "", "MB" -> n;
            default -> throw new IllegalArgumentException("not a size: " + value);
        };
    }
}
