package io.ibex.spi;

/**
 * A sequence's settings, copied with its value: increment, bounds, cycle and start.
 */
public record SequenceSettings(long increment, long min, long max, boolean cycle, long start) {

    @Override
    public String toString() {
        return "increment " + increment + ", min " + min + ", max " + max + ", start " + start + (cycle ? ", cycle" : ", no cycle");
    }
}
