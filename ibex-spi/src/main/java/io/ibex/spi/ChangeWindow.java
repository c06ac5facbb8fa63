package io.ibex.spi;

/**
 * The changes a consumer takes in one batch: those after the previous position up to the current one
 * (docs/design.md argues why this neither skips nor repeats a transaction). Changes that the consuming sync
 * applied itself, made by sessions named ownOrigin (recorded only with makedelta), are left out.
 */
public record ChangeWindow(Position previous, Position current, String ownOrigin) {

    public boolean isEmpty() {
        return previous.equals(current);
    }
}
