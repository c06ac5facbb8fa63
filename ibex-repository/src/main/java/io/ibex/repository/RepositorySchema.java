package io.ibex.repository;

import io.ibex.IbexException;
import io.ibex.db.ConnectionSpec;
import io.ibex.db.Pg;

import java.sql.Connection;

import static io.ibex.repository.Jdbc.call;

/** Whether the repository is installed, at which schema version, and bringing it to this release's (see {@link Migrations}). */
public final class RepositorySchema {

    private final Connection c;
    private final ConnectionSpec spec;

    RepositorySchema(Connection c, ConnectionSpec spec) {
        this.c = c;
        this.spec = spec;
    }

    public boolean isInstalled() {
        return call(() -> Pg.exists(c, "SELECT 1 FROM pg_namespace n JOIN pg_class r ON r.relnamespace = n.oid "
                + "WHERE n.nspname = 'ibex' AND r.relname = 'meta'"));
    }

    /** Creates the schema at this release's version; false if it is there already (then nothing is changed). */
    public boolean install() {
        if (isInstalled()) {
            return false;
        }
        return call(() -> {
            Migrations.install(c);
            c.commit();
            return true;
        });
    }

    /** Fails with a clear message unless the repository is installed with the schema this release expects. */
    public void requireInstalled() {
        int v = installedVersion();
        if (v != Repository.SCHEMA_VERSION) {
            throw versionMismatch(v);
        }
    }

    /**
     * Brings an older repository to this release's schema version, each migration in its own transaction;
     * returns the version it had. Fails on a repository that is not installed or is newer than this release.
     */
    public int upgrade() {
        int from = installedVersion();
        if (from > Repository.SCHEMA_VERSION) {
            throw versionMismatch(from);
        }
        call(() -> {
            Migrations.upgrade(c);
            return null;
        });
        return from;
    }

    /** The schema version of the installed repository; fails with a clear message when it is not installed. */
    public int installedVersion() {
        if (!isInstalled()) {
            throw new IbexException("the ibex repository is not installed in database \"" + spec.dbname()
                    + "\" (" + spec.describe() + "): run 'ibex install' first");
        }
        return schemaVersion();
    }

    private IbexException versionMismatch(int v) {
        return new IbexException("the ibex repository in database \"" + spec.dbname() + "\" has schema version " + v
                + " but this ibex needs version " + Repository.SCHEMA_VERSION + (v < Repository.SCHEMA_VERSION
                ? ": run 'ibex upgrade' (with the daemon stopped)"
                : ": it was upgraded by a newer ibex, so run that release (or a newer one)"));
    }

    public int schemaVersion() {
        return call(() -> Integer.parseInt(Pg.queryString(c, "SELECT value FROM ibex.meta WHERE key = 'schema_version'")));
    }
}
