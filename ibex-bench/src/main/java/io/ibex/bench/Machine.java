package io.ibex.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What the benchmark ran on: CPUs, memory, CPU model, kernel, Java. */
final class Machine {
    private Machine() {
    }

    static String describe() {
        String model = grep("/proc/cpuinfo", "model name");
        String mem = grep("/proc/meminfo", "MemTotal");
        String memText = mem;
        try {
            long kb = Long.parseLong(mem.replaceAll("[^0-9]", ""));
            memText = String.format(Locale.ROOT, "%.1f GiB", kb / 1048576.0);
        } catch (NumberFormatException ignored) {
            // keep the raw text
        }
        String kernel = read("/proc/sys/kernel/osrelease");
        return String.format(Locale.ROOT, "%d CPUs (nproc), %s memory, CPU %s, Linux %s, Java %s (%s)",
                Runtime.getRuntime().availableProcessors(), memText, model, kernel, System.getProperty("java.version"),
                System.getProperty("java.vm.name"));
    }

    /** The share of CPU time the whole machine was busy over the given milliseconds (from /proc/stat), or NaN. */
    static double busyShare(long millis) {
        long[] a = cpuTimes();
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long[] b = cpuTimes();
        if (a == null || b == null || b[0] == a[0]) {
            return Double.NaN;
        }
        return 1.0 - (double) (b[1] - a[1]) / (b[0] - a[0]);
    }

    /** {total, idle + iowait} jiffies of all CPUs, or null. */
    private static long[] cpuTimes() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * CPU seconds the whole machine spent running (user, nice, system, irq, softirq; not idle, I/O wait or time
     * stolen by the hypervisor) since boot, from /proc/stat (USER_HZ 100); NaN where it cannot be read.
     */
    static double busySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7]);
            return busy / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static String loadAverage() {
        String l = read("/proc/loadavg");
        String[] f = l.split(" ");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : l;
    }

    private static String grep(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "unknown";
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
