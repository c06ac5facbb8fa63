package io.ibex.engine;

import io.ibex.model.ColumnDef;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What the multi-source gate concludes from every source's and every target's columns (issue 23). */
class MultiSourceSchemaRulesTest {

    static final ColumnDef ID = SchemaDriftTest.ID;
    static final ColumnDef V = SchemaDriftTest.V;
    static final ColumnDef C = new ColumnDef("c", "integer", false, "5");

    static MultiSourceSchema verdict(String ddl, List<ColumnDef> a, List<ColumnDef> b, List<ColumnDef> target) {
        Map<String, List<ColumnDef>> sources = new LinkedHashMap<>();
        sources.put("a", a);
        sources.put("b", b);
        Map<String, List<ColumnDef>> targets = new LinkedHashMap<>();
        targets.put("t", target);
        return MultiSourceSchema.of("mm", ddl, SchemaDriftTest.T, sources, targets, Set.of("t"));
    }

    @Test
    void theSameColumnsGoOn() {
        MultiSourceSchema v = verdict("auto", List.of(ID, V), List.of(ID, V), List.of(ID, V));
        assertThat(v.held()).isFalse();
        assertThat(v.add()).isEmpty();
    }

    @Test
    void aColumnOnOneSourceHoldsTheTableWithTheDatabasesAndTheFix() {
        MultiSourceSchema v = verdict("auto", List.of(ID, V, C), List.of(ID, V), List.of(ID, V));
        assertThat(v.reason()).isEqualTo("column public.t.c integer is on database \"a\" and not on \"b\"");
        assertThat(v.fix()).contains("ibex ddl mm", "ibex activate mm");
    }

    @Test
    void aColumnOnEverySourceTheSameWayIsAddedOnTheTarget() {
        MultiSourceSchema v = verdict("auto", List.of(ID, V, C), List.of(ID, V, C), List.of(ID, V));
        assertThat(v.held()).isFalse();
        assertThat(v.add()).containsExactly(Map.entry("t", List.of(C)));
    }

    @Test
    void whatCannotBeFollowedHolds() {
        assertThat(verdict("auto", List.of(ID, V, C), List.of(ID, V, new ColumnDef("c", "integer", true, "5")), List.of(ID, V)).reason())
                .contains("added on every source, but not the same way", "integer DEFAULT 5 nullable", "integer DEFAULT 5 NOT NULL");
        ColumnDef now = new ColumnDef("c", "timestamp with time zone", false, "now()");
        assertThat(verdict("auto", List.of(ID, V, now), List.of(ID, V, now), List.of(ID, V)).reason())
                .contains("a default that is not a constant (now())");
        assertThat(verdict("hold", List.of(ID, V, C), List.of(ID, V, C), List.of(ID, V)).reason()).contains("(ddl=hold)");
        assertThat(verdict("auto", List.of(ID, V), null, List.of(ID, V)).reason()).contains("is gone from database \"b\"");
        assertThat(verdict("auto", List.of(ID, new ColumnDef("v", "varchar(10)", false, null)), List.of(ID, V), List.of(ID, V)).reason())
                .isEqualTo("column public.t.v is varchar(10) on database \"a\" and text on \"b\"");
    }
}
