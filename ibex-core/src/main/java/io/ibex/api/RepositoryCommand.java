package io.ibex.api;

import io.ibex.repository.Repository;

import java.util.function.Supplier;

/** A command class of the facade: it opens the installed repository per call, and each call is one transaction. */
abstract class RepositoryCommand {
    private final Supplier<Repository> repositories;

    RepositoryCommand(Supplier<Repository> repositories) {
        this.repositories = repositories;
    }

    /** Opens the installed repository; callers close it. */
    Repository openRepository() {
        return repositories.get();
    }
}
