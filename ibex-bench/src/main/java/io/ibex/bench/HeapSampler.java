package io.ibex.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;

/**
 * Samples the heap of this JVM (the daemon runs in it) every 100 ms, and listens to every garbage collection for
 * the heap left after it. {@link #mark()} starts a window; {@link #peakUsedMb()} and {@link #peakAfterGcMb()} are
 * the highest values seen since.
 */
final class HeapSampler implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread thread;
    private volatile boolean stop;
    private volatile long peakUsed;
    private volatile long peakAfterGc;

    HeapSampler() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((n, handback) -> {
                    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        return;
                    }
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                    long after = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                            .filter(e -> !e.getKey().contains("Metaspace") && !e.getKey().contains("Code")
                                    && !e.getKey().contains("Compressed Class"))
                            .mapToLong(e -> e.getValue().getUsed()).sum();
                    synchronized (this) {
                        peakAfterGc = Math.max(peakAfterGc, after);
                    }
                }, null, null);
            }
        }
        thread = new Thread(this::loop, "bench-heap-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (!stop) {
            sample();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        MemoryUsage heap = memory.getHeapMemoryUsage();
        synchronized (this) {
            peakUsed = Math.max(peakUsed, heap.getUsed());
        }
    }

    /** Starts a new window, from a heap just collected (so the peak is what the window itself needs). */
    synchronized void mark() {
        System.gc();
        peakUsed = memory.getHeapMemoryUsage().getUsed();
        peakAfterGc = 0;
    }

    double peakUsedMb() {
        sample();
        return peakUsed / 1048576.0;
    }

    /** The most heap left by any collection in the window (NaN if none ran): an upper bound of the live data. */
    double peakAfterGcMb() {
        return peakAfterGc == 0 ? Double.NaN : peakAfterGc / 1048576.0;
    }

    static double maxHeapMb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax() / 1048576.0;
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
    }
}
