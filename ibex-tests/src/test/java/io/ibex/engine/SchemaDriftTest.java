package io.ibex.engine;

import io.ibex.model.ColumnDef;
import io.ibex.model.TableInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the schema gate concludes from the source's and the target's columns (issue 23), and which defaults are constants. */
class SchemaDriftTest {

    static final TableInfo T = new TableInfo("public", "t", List.of(new TableInfo.Column("id", "integer"), new TableInfo.Column("v", "text")),
            List.of("id"), List.of("integer"));
    static final ColumnDef ID = new ColumnDef("id", "integer", true, null);
    static final ColumnDef V = new ColumnDef("v", "text", false, null);

    static SchemaDrift drift(List<ColumnDef> source, List<String> key, List<ColumnDef> target) {
        return SchemaDrift.of("s", "dst", T, source, key, target);
    }

    @Test
    void sameColumnsAndATargetColumnOfItsOwnAreNoDrift() {
        assertThat(drift(List.of(ID, V), null, List.of(ID, V))).isEqualTo(SchemaDrift.NONE);
        assertThat(drift(List.of(ID, V), null, List.of(ID, V, new ColumnDef("extra", "text", true, null)))).isEqualTo(SchemaDrift.NONE);
    }

    @Test
    void anAddedColumnIsToBeAdded() {
        ColumnDef c = new ColumnDef("c", "integer", true, "7");
        SchemaDrift d = drift(List.of(ID, V, c), List.of("id"), List.of(ID, V));
        assertThat(d.held()).isFalse();
        assertThat(d.add()).containsExactly(c);
    }

    @Test
    void eachHoldSaysWhatAndHow() {
        assertThat(drift(List.of(ID, new ColumnDef("v", "varchar(10)", false, null)), List.of("id"), List.of(ID, V)).reason())
                .isEqualTo("column public.t.v changed type on the source from text to varchar(10)");
        assertThat(drift(List.of(ID, new ColumnDef("w", "text", false, null)), List.of("id"), List.of(ID, V)).reason())
                .contains("a rename?");
        assertThat(drift(List.of(ID), List.of("id"), List.of(ID, new ColumnDef("v", "text", true, null))).reason())
                .contains("column public.t.v was dropped on the source", "NOT NULL without a default");
        assertThat(drift(List.of(ID), List.of("id"), List.of(ID, V))).as("nullable on the target: goes on").isEqualTo(SchemaDrift.NONE);
        assertThat(drift(List.of(ID, V), List.of("id", "v"), List.of(ID, V)).reason()).contains("key of public.t changed from (id) to (id, v)");
        assertThat(drift(null, null, List.of(ID, V)).reason()).contains("gone from the source");
        assertThat(drift(List.of(ID, V), null, List.of()).reason()).contains("missing on database \"dst\"");
        assertThat(drift(List.of(ID, new ColumnDef("v", "varchar(10)", false, null)), List.of("id"), List.of(ID, V)).fix())
                .contains("ibex ddl s", "ibex activate s");
    }

    @Test
    void aTypeChangeTheTargetHasMadeToo() {
        ColumnDef big = new ColumnDef("v", "varchar(10)", false, null);
        assertThat(drift(List.of(ID, big), List.of("id"), List.of(ID, big))).isEqualTo(SchemaDrift.NONE);
    }

    @Test
    void constantDefaults() {
        for (String constant : new String[] {null, "7", "'-1'::integer", "'abc'::text", "'2020-01-01'::date", "1.5",
                "'{}'::integer[]", "true", "'x'::character varying(10)"}) {
            assertThat(new ColumnDef("c", "t", false, constant).constantDefault()).as(constant).isTrue();
        }
        for (String volatileOrNot : new String[] {"now()", "random()", "nextval('t_id_seq'::regclass)", "CURRENT_TIMESTAMP",
                "clock_timestamp()", "gen_random_uuid()", "('a'::text || 'b'::text)"}) {
            assertThat(new ColumnDef("c", "t", false, volatileOrNot).constantDefault()).as(volatileOrNot).isFalse();
        }
    }
}
