package io.ibex.spi;

import java.util.List;
import java.util.Optional;

/** Where the engine keeps each consumer's position: the only reader and writer of positions. */
public interface PositionStore {

    /** A consumer's position: the changes of sourceDb that targetDb has received for the sync. */
    record Stored(String sync, String sourceDb, String targetDb, Position position) {
    }

    Optional<Position> position(String sync, String sourceDb, String targetDb);

    /** Records the position, in the caller's repository transaction. */
    void save(String sync, String sourceDb, String targetDb, Position position);

    List<Stored> all();
}
