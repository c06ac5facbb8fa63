package io.ibex.spi;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.apply.PostgresTargetProvider;
import io.ibex.db.ConnectionSpec;
import io.ibex.model.Database;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Target adapters are found through ServiceLoader by a database's type or an alias, and say what they can do. */
class TargetRegistryTest {

    static Database db(String type, String host, int port, String dbname) {
        return new Database("d1", type, host, port, dbname, "u", "secret", "active", false, null);
    }

    @Test
    void postgresIsInstalledUnderItsAliases() {
        TargetRegistry r = TargetRegistry.installed();
        assertThat(r.types()).containsExactly("mariadb", "postgres", "redis", "sqlite");
        for (String type : List.of("postgres", "pg", "postgresql", "PostgreSQL", "PG")) {
            assertThat(r.find(type)).get().isInstanceOf(PostgresTargetProvider.class);
            assertThat(r.find(type).get().type()).isEqualTo("postgres");
        }
        assertThat(r.find("oracle")).isEmpty();
        assertThat(r.find(null)).isEmpty();
    }

    @Test
    void postgresCanEverythingButTablesFromAMapping() {
        TargetProvider pg = TargetRegistry.installed().require("postgres");
        // its tables come from the source's catalog, not from a type mapping
        assertThat(pg.capabilities()).isEqualTo(java.util.EnumSet.complementOf(java.util.EnumSet.of(TargetCapability.TABLES_FROM_MAPPING)));
        assertThat(pg.can(TargetCapability.REPLICA_MODE)).isTrue();
        assertThat(pg.can(TargetCapability.COPY_TEXT)).isTrue();
    }

    @Test
    void thePostgresAdapterBuildsTheUrlWithoutThePassword() {
        TargetProvider pg = TargetRegistry.installed().require("pg");
        assertThat(pg.url(db("postgres", "db.example.com", 5433, "my db"))).isEqualTo("jdbc:postgresql://db.example.com:5433/my%20db");
        assertThat(pg.url(db("postgres", "::1", 5432, "x"))).isEqualTo("jdbc:postgresql://[::1]:5432/x");
        assertThat(pg.url(db("postgres", "h", 5432, "x"))).doesNotContain("secret");
        // the repository's connection keeps building the same URL itself
        assertThat(new ConnectionSpec("::1", 5432, "x", "u", null).url()).isEqualTo("jdbc:postgresql://[::1]:5432/x");
    }

    @Test
    void unknownTypesAreOneLine() {
        assertThatThrownBy(() -> TargetRegistry.installed().require("oracle"))
                .isInstanceOf(IbexException.class).hasMessage("unknown database type \"oracle\": one of mariadb, postgres, redis, sqlite");
        assertThatThrownBy(() -> TargetRegistry.installed().require(db("oracle", "h", 1, "x")))
                .isInstanceOf(IbexException.class).hasMessage("database \"d1\" has type oracle, which cannot be a target yet");
    }

    @Test
    void addDbRefusesAnUnknownTypeBeforeConnecting() {
        Ibex ibex = new Ibex(new ConnectionSpec("localhost", 1, "nowhere", "nobody", null));
        assertThatThrownBy(() -> ibex.addDatabase("d1", Map.of("dbname", "x", "type", "oracle"), true))
                .isInstanceOf(IbexException.class).hasMessage("add db: unknown database type \"oracle\": one of mariadb, postgres, redis, sqlite");
    }

    @Test
    void twoAdaptersMayNotAnswerToOneName() {
        TargetProvider other = new TargetProvider() {
            @Override
            public String type() {
                return "sqlite";
            }

            @Override
            public Set<String> aliases() {
                return Set.of("pg");
            }

            @Override
            public Set<TargetCapability> capabilities() {
                return Set.of();
            }

            @Override
            public String url(Database db) {
                return "jdbc:sqlite:" + db.dbname();
            }

            @Override
            public Target open(Database db, String applicationName) {
                throw new UnsupportedOperationException();
            }
        };
        assertThatThrownBy(() -> TargetRegistry.of(List.of(new PostgresTargetProvider(), other)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("database type pg");
        TargetRegistry alone = TargetRegistry.of(List.of(other));
        assertThat(alone.types()).containsExactly("sqlite");
        assertThat(alone.require("sqlite").can(TargetCapability.REPLICA_MODE)).isFalse();
        assertThatThrownBy(() -> alone.require("sqlite").detectReplicaMode(db("sqlite", "h", 1, "x")))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
