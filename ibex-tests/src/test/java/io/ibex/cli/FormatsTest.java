package io.ibex.cli;

import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.RelGroup;
import io.ibex.model.Relation;
import io.ibex.model.Role;
import io.ibex.model.Sync;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FormatsTest {

    @Test
    void databaseLineHasThePsqlCommandAndNeverThePassword() {
        Database d = new Database("pgdb84", "postgres", "host", 5432, "repdb", "postgres", "s3cret!", "active", false, null);
        assertThat(Formats.databases(List.of(d)))
                .containsExactly("Database: pgdb84  Status: active  Conn: psql -p 5432 -U postgres -d repdb -h host");
        Database odd = new Database("x", "postgres", "h", 5433, "my db", "o'neil", "pw with 'quotes'", "inactive", true, "rds_session_replication_role");
        List<String> lines = Formats.databases(List.of(d, odd));
        assertThat(String.join("\n", lines)).doesNotContain("s3cret").doesNotContain("pw with");
        assertThat(lines.get(1)).isEqualTo("Database: x       Status: inactive  Conn: psql -p 5433 -U 'o'\\''neil' -d 'my db' -h h"
                + "  Makedelta: on  Replica function: rds_session_replication_role");
        assertThat(lines.get(0)).startsWith("Database: pgdb84  Status: active    Conn:");
    }

    @Test
    void tablesAndSequences() {
        Relation t = new Relation(1, "pgdb84", "public", "pgbench_accounts", "table", List.of("aid"), List.of("integer"), null, null, null, null);
        Relation multi = new Relation(2, "pgdb84", "public", "h", "table", List.of("a", "b"), List.of("integer", "text"), false, null, 1, null);
        Relation nokey = new Relation(3, "pgdb84", "public", "pgbench_history", "table", List.of(), List.of(), null, null, null, null);
        Relation seq = new Relation(4, "pgdb84", "public", "s", "sequence", List.of(), List.of(), null, null, null, null);
        assertThat(Formats.relations(List.of(t))).containsExactly("Table: public.pgbench_accounts  DB: pgdb84  PK: aid (integer)");
        assertThat(Formats.relations(List.of(multi))).containsExactly("Table: public.h  DB: pgdb84  PK: a|b (integer|text)  autokick: off  rebuild_index: 1");
        assertThat(Formats.relations(List.of(nokey))).containsExactly("Table: public.pgbench_history  DB: pgdb84  PK: none");
        assertThat(Formats.relations(List.of(seq))).containsExactly("Sequence: public.s  DB: pgdb84");
    }

    @Test
    void groupsAndSyncs() {
        Relation a = new Relation(1, "pgdb84", "public", "a", "table", List.of("id"), List.of("integer"), null, null, null, null);
        Relation b = new Relation(2, "pgdb84", "public", "b", "table", List.of("id"), List.of("integer"), null, null, null, null);
        assertThat(Formats.relGroups(List.of(new RelGroup("herd_pg84", List.of(a, b)))))
                .containsExactly("Relgroup: herd_pg84  DB: pgdb84  Members: public.a, public.b");
        assertThat(Formats.relGroups(List.of(new RelGroup("empty", List.of())))).containsExactly("Relgroup: empty  DB: none  Members: none");
        assertThat(Formats.dbGroups(List.of(new DbGroup("G", List.of(new DbGroup.Member("pgdb84", Role.SOURCE),
                new DbGroup.Member("rds96", Role.TARGET))))))
                .containsExactly("Dbgroup: G  Members: pgdb84:source rds96:target");
        Sync s = new Sync("S", "R", "G", "active", false, true, 300, 0, true, true, "latest", "delete", true, 0);
        assertThat(Formats.syncs(List.of(s))).containsExactly("Sync: S  Relgroup: R  DB group: G  [Active]",
                "  autokick=on checktime=300s onetimecopy=0 stayalive=on kidsalive=on conflict_strategy=latest deletemethod=delete "
                        + "analyze_after_copy=on rebuild_index=0 ddl=auto");
    }
}
