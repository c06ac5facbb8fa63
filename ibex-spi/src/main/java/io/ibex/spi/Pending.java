package io.ibex.spi;

/**
 * The changes of one table a consumer has not received: how many rows (changed keys), and how old the oldest of them
 * is in seconds, measured on the source's clock (0 when there is none).
 */
public record Pending(long rows, double oldestSeconds) {
    public static final Pending NONE = new Pending(0, 0);
}
