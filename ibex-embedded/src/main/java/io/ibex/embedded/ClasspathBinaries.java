package io.ibex.embedded;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;

/** The binaries jar that is on the classpath (the project's newest PostgreSQL). */
record ClasspathBinaries(String version) implements BinarySource {
    @Override
    public PgBinaryResolver resolver() {
        return DefaultPostgresBinaryResolver.INSTANCE;
    }
}
