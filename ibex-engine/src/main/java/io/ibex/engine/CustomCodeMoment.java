package io.ibex.engine;

import io.ibex.spi.ConflictResolver;
import io.ibex.spi.CustomCode;
import io.ibex.spi.CustomCodeContext;

import java.sql.Connection;
import java.util.Map;
import java.util.Optional;

/** The context one moment's custom code chain is given (see {@link CustomCodeContext}). */
final class CustomCodeMoment implements CustomCodeContext {

    private final String sync;
    private final CustomCode.When when;
    private final String database;
    private final Map<String, Connection> databases;
    private final Map<String, Long> tables;
    private final Failure failure;
    private final ConflictResolver.Conflict conflict;
    private final int retries;
    private String winner;

    CustomCodeMoment(String sync, CustomCode.When when, String database, Map<String, Connection> databases, Map<String, Long> tables,
                     Failure failure, ConflictResolver.Conflict conflict, String winner, int retries) {
        this.sync = sync;
        this.when = when;
        this.database = database;
        this.databases = Map.copyOf(databases);
        this.tables = Map.copyOf(tables);
        this.failure = failure;
        this.conflict = conflict;
        this.winner = winner;
        this.retries = retries;
    }

    @Override
    public String sync() {
        return sync;
    }

    @Override
    public CustomCode.When when() {
        return when;
    }

    @Override
    public String database() {
        return database;
    }

    @Override
    public Map<String, Connection> databases() {
        return databases;
    }

    @Override
    public Map<String, Long> tables() {
        return tables;
    }

    @Override
    public Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public Optional<ConflictResolver.Conflict> conflict() {
        return Optional.ofNullable(conflict);
    }

    @Override
    public String winner() {
        return winner;
    }

    @Override
    public void winner(String db) {
        if (conflict == null) {
            throw new IllegalStateException("winner(...) is for conflict custom code only");
        }
        if (db != null && !conflict.changedAt().containsKey(db)) {
            throw new IllegalArgumentException("\"" + db + "\" did not change the key: it cannot win");
        }
        this.winner = db;
    }

    @Override
    public int retries() {
        return retries;
    }
}
