package io.ibex.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VerbsAndWordsTest {

    @Test
    void bucardoAliases() {
        for (String l : List.of("l", "lsit", "lit", "liast", "lisy", "list", "LIST")) {
            assertThat(Verbs.normalize(l)).as(l).isEqualTo("list");
        }
        assertThat(Verbs.normalize("delete")).isEqualTo("remove");
        assertThat(Verbs.normalize("del")).isEqualTo("remove");
        assertThat(Verbs.normalize("upd")).isEqualTo("update");
        assertThat(Verbs.normalize("udpate")).isEqualTo("update");
        assertThat(Verbs.normalize("strt")).isEqualTo("start");
        assertThat(Verbs.normalize("msg")).isEqualTo("message");
        assertThat(Verbs.normalize("vali")).isEqualTo("validate");
        assertThat(Verbs.normalize("validat")).isEqualTo("validate");
        assertThat(Verbs.normalize("valid_sync")).isEqualTo("validate");
        assertThat(Verbs.normalize("frobnicate")).isNull();
    }

    @Test
    void verbNounIsSplit() {
        assertThat(Verbs.split(List.of("add_table", "t", "db=x"))).containsExactly("add", "table", "t", "db=x");
        assertThat(Verbs.split(List.of("list_dbs"))).containsExactly("list", "dbs");
        assertThat(Verbs.split(List.of("del_sync", "s"))).containsExactly("remove", "sync", "s");
        assertThat(Verbs.split(List.of("lsit", "syncs"))).containsExactly("list", "syncs");
        assertThat(Verbs.split(List.of("foo_bar"))).containsExactly("foo_bar");
        assertThat(Verbs.split(List.of("sql_replica_function", "r"))).containsExactly("sql", "replica_function", "r");
        assertThat(Verbs.split(List.of("list_conflicts"))).containsExactly("list", "conflicts");
        assertThat(Verbs.split(List.of("show_all"))).containsExactly("show", "all");
        assertThat(Verbs.split(List.of("inspect_table", "t"))).containsExactly("inspect", "table", "t");
    }

    @Test
    void wordsSplitIntoNamesAndParams() {
        Words w = Words.of(List.of("pgbench_accounts", "herd=herd_pg84", "db=pgdb84", "pgdb84:source", "conn=host=x port=5",
                "pkonly", "=odd", "public.t"));
        assertThat(w.names()).containsExactly("pgbench_accounts", "pgdb84:source", "pkonly", "=odd", "public.t");
        assertThat(w.params()).containsEntry("herd", "herd_pg84").containsEntry("db", "pgdb84").containsEntry("conn", "host=x port=5");
        assertThat(w.takeBare("PKONLY")).isTrue();
        assertThat(w.names()).doesNotContain("pkonly");
        assertThat(w.takeBare("pkonly")).isFalse();
    }

    @Test
    void valuesKeepQuotesAndSpaces() {
        Words w = Words.of(List.of("about=it's \"quoted\" = fine", "empty="));
        assertThat(w.params()).containsEntry("about", "it's \"quoted\" = fine").containsEntry("empty", "");
    }

    @Test
    void kickTakesATrailingTimeout() {
        KickCommand.Request r = KickCommand.Request.parse(List.of("sync", "a", "b", "30"));
        assertThat(r.syncs()).containsExactly("a", "b");
        assertThat(r.timeoutSeconds()).isEqualTo(30);
        KickCommand.Request forever = KickCommand.Request.parse(List.of("a", "0"));
        assertThat(forever.timeoutSeconds()).isZero();
        assertThat(forever.timeout()).isNull();
        assertThat(KickCommand.Request.parse(List.of("a")).timeoutSeconds()).isNull();
    }
}
