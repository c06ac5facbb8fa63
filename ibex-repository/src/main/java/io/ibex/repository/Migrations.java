package io.ibex.repository;

import io.ibex.IbexException;
import io.ibex.db.Pg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The repository's schema versions and the runner that applies them. Version 1 is {@code schema-1.sql}, what the
 * first release installed; each later version N is the resource {@code migrations/migration-N.sql}, which brings a
 * repository from N-1 to N in one transaction. To change the repository, add the next numbered file (never edit a
 * released one): the version this code needs is the highest file present, so nothing else changes.
 * <p>
 * A repository's version is {@code ibex.meta}'s {@code schema_version}: every release, the first included, reads it
 * there, so an older ibex refuses a newer repository. {@code ibex.schema_version} (migration 2) keeps the history.
 */
final class Migrations {

    static final String BASE = "schema-1.sql";

    /** The schema version this code needs: the highest migration present. */
    static final int LATEST = latestPresent();

    private Migrations() {
    }

    static String resourceName(int version) {
        return version == 1 ? BASE : "migrations/migration-" + version + ".sql";
    }

    private static int latestPresent() {
        int v = 1;
        while (Migrations.class.getResource(resourceName(v + 1)) != null) {
            v++;
        }
        return v;
    }

    /** Installs version 1, then every migration, in the caller's transaction: a fresh install is an upgraded one. */
    static void install(Connection c) throws SQLException {
        Pg.exec(c, sql(1));
        Pg.update(c, "INSERT INTO ibex.meta (key, value) VALUES ('schema_version', '1')");
        Pg.update(c, "INSERT INTO ibex.meta (key, value) VALUES ('installed', now()::text)");
        for (int v = 2; v <= LATEST; v++) {
            apply(c, v);
        }
    }

    /**
     * Applies the missing migrations, each in its own committed transaction; a failed one is rolled back and
     * reported with the version the repository stays at. The caller has checked the repository is not newer.
     */
    static void upgrade(Connection c) throws SQLException {
        while (true) {
            // the row lock makes a concurrent upgrade wait, then see the version this one reached
            int current = Integer.parseInt(Pg.queryString(c, "SELECT value FROM ibex.meta WHERE key = 'schema_version' FOR UPDATE"));
            if (current >= LATEST) {
                c.commit();
                return;
            }
            try {
                apply(c, current + 1);
                c.commit();
            } catch (SQLException e) {
                Pg.rollbackQuietly(c);
                throw new IbexException("upgrade to schema version " + (current + 1) + " failed: " + Pg.firstLine(e)
                        + " (the repository stays at schema version " + current + ")", e);
            }
        }
    }

    private static void apply(Connection c, int version) throws SQLException {
        Pg.exec(c, sql(version));
        Pg.update(c, "INSERT INTO ibex.schema_version (version) VALUES (?)", version);
        Pg.update(c, "UPDATE ibex.meta SET value = ? WHERE key = 'schema_version'", String.valueOf(version));
    }

    static String sql(int version) {
        String name = resourceName(version);
        try (InputStream in = Migrations.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }
}
