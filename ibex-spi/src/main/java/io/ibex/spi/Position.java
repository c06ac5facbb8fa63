package io.ibex.spi;

/**
 * Where a consumer (a sync's source and receiving database) stands in a source's changes: it has every change
 * up to here. Each capture kind has its own implementation; positions are compared only within their kind.
 * {@link PositionCodec} stores them, the engine reads and writes them through a {@link PositionStore}.
 */
public interface Position {

    /** The capture kind that wrote this position (see {@link ChangeSource#positionKind()}). */
    String kind();

    /** The position in its kind's own text form, without the kind. */
    String text();
}
