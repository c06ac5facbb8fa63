package io.ibex.engine;

import io.ibex.repository.Repository;
import io.ibex.spi.ChangeSources;
import io.ibex.spi.Position;
import io.ibex.spi.PositionCodec;
import io.ibex.spi.PositionStore;

import java.util.List;
import java.util.Optional;

/** The positions kept in the repository's ibex.position table, in the text of {@link PositionCodec}. */
public final class RepositoryPositions implements PositionStore {

    private final Repository repo;
    private final PositionCodec codec;

    public RepositoryPositions(Repository repo) {
        this(repo, ChangeSources.codec());
    }

    public RepositoryPositions(Repository repo, PositionCodec codec) {
        this.repo = repo;
        this.codec = codec;
    }

    @Override
    public Optional<Position> position(String sync, String sourceDb, String targetDb) {
        return repo.positions().position(sync, sourceDb, targetDb).map(codec::decode);
    }

    @Override
    public void save(String sync, String sourceDb, String targetDb, Position position) {
        repo.positions().savePosition(sync, sourceDb, targetDb, codec.encode(position));
    }

    @Override
    public List<Stored> all() {
        return repo.positions().all().stream().map(p -> new Stored(p.sync(), p.sourceDb(), p.targetDb(), codec.decode(p.snapshot()))).toList();
    }
}
