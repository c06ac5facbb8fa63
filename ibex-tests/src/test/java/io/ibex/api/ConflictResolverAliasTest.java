package io.ibex.api;

import io.ibex.engine.ConflictStrategy;
import io.ibex.spi.ConflictResolver.Conflict;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A resolver written against the former io.ibex.api.ConflictResolver still compiles and is still loaded. */
class ConflictResolverAliasTest {

    @SuppressWarnings("deprecation")
    public static class Legacy implements ConflictResolver {
        @Override
        public String resolve(Conflict conflict) {
            return "b";
        }
    }

    @Test
    void aResolverOfTheFormerInterfaceDecides() {
        ConflictStrategy s = ConflictStrategy.parse("custom:" + Legacy.class.getName(), List.of("a", "b"));
        assertThat(s.kind()).isEqualTo(ConflictStrategy.Kind.CUSTOM);
        assertThat(s.winner(new Conflict("s", "public", "t", List.of("id"), List.of("1"),
                Map.of("a", 2L, "b", 1L)))).isEqualTo("b");
    }
}
