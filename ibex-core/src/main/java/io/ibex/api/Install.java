package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.api.Ibex.InstallOutcome;
import io.ibex.api.Ibex.UpgradeOutcome;
import io.ibex.db.ConnectionSpec;
import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.engine.Daemon;
import io.ibex.repository.Repository;

import java.sql.Connection;
import java.sql.SQLException;

import static io.ibex.api.Ibex.APP;

/** {@code ibex install} and {@code ibex upgrade}: the repository's database, schema and schema version. */
final class Install {
    private final ConnectionSpec repositorySpec;

    Install(ConnectionSpec repositorySpec) {
        this.repositorySpec = repositorySpec;
    }

    /** Creates the repository schema (and the database, if it is missing and the role may create it). */
    InstallOutcome install() {
        try (Repository repo = openOrCreateRepositoryDatabase()) {
            if (repo.schema().install()) {
                return InstallOutcome.INSTALLED;
            }
            repo.requireInstalled(); // an older or newer schema: says what to run
            return InstallOutcome.ALREADY_INSTALLED;
        }
    }

    /** Brings the repository to this release's schema version; refuses while a daemon runs on it. */
    UpgradeOutcome upgrade() {
        try (Repository repo = Repository.open(repositorySpec, APP)) {
            if (repo.schema().installedVersion() == Repository.SCHEMA_VERSION) {
                return new UpgradeOutcome(Repository.SCHEMA_VERSION, Repository.SCHEMA_VERSION);
            }
            // held until the connection closes: no daemon starts while the schema changes
            if (!"t".equals(Pg.queryString(repo.connection(), "SELECT pg_try_advisory_lock(" + Daemon.LOCK_KEY + ")"))) {
                throw new IbexException("the ibex daemon is running on this repository: stop it ('ibex stop'), then run 'ibex upgrade'");
            }
            int from = repo.schema().upgrade();
            return new UpgradeOutcome(from, Repository.SCHEMA_VERSION);
        } catch (SQLException e) {
            throw new IbexException("repository: " + Pg.firstLine(e), e);
        }
    }

    private Repository openOrCreateRepositoryDatabase() {
        try {
            return Repository.open(repositorySpec, APP);
        } catch (IbexException e) {
            if (!"3D000".equals(Pg.sqlState(e))) {
                throw e;
            }
            createRepositoryDatabase();
            return Repository.open(repositorySpec, APP);
        }
    }

    private void createRepositoryDatabase() {
        ConnectionSpec admin = new ConnectionSpec(repositorySpec.host(), repositorySpec.port(), "postgres",
                repositorySpec.user(), repositorySpec.password());
        try (Connection c = admin.openOrFail(APP, "database \"postgres\" to create the repository database")) {
            Pg.exec(c, "CREATE DATABASE " + Sql.ident(repositorySpec.dbname()));
        } catch (SQLException e) {
            throw new IbexException("database \"" + repositorySpec.dbname() + "\" does not exist and cannot be created: "
                    + Pg.firstLine(e) + " (create it, owned by " + repositorySpec.user() + ", then run install again)");
        }
    }
}
