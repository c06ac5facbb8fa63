package io.ibex.cli;

import io.ibex.IbexException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArgsTest {

    @Test
    void globalOptionsMayStandAnywhereInBothForms() {
        Args a = Args.parse("add", "--dbhost", "h1", "db", "x", "--dbport=6543", "dbname=repdb", "-U", "bob", "--force");
        assertThat(a.value("dbhost")).isEqualTo("h1");
        assertThat(a.value("dbport")).isEqualTo("6543");
        assertThat(a.value("dbuser")).isEqualTo("bob");
        assertThat(a.flag("force")).isTrue();
        assertThat(a.words()).containsExactly("add", "db", "x", "dbname=repdb");
    }

    @Test
    void bucardoSpellingsAndShortForms() {
        Args a = Args.parse("--db-host=h", "--db-port", "1", "--db-name", "n", "--db-user", "u", "--db-pass", "p", "status");
        assertThat(List.of(a.value("dbhost"), a.value("dbport"), a.value("dbname"), a.value("dbuser"), a.value("dbpass")))
                .containsExactly("h", "1", "n", "u", "p");
        Args s = Args.parse("-hhost", "-p", "2", "-d=db", "-P", "pw", "list", "dbs");
        assertThat(s.value("dbhost")).isEqualTo("host");
        assertThat(s.value("dbport")).isEqualTo("2");
        assertThat(s.value("dbname")).isEqualTo("db");
        assertThat(s.value("dbpass")).isEqualTo("pw");
        assertThat(s.words()).containsExactly("list", "dbs");
    }

    @Test
    void filtersRepeat() {
        Args a = Args.parse("add", "all", "tables", "-n", "public", "--schema=app", "-N", "tmp", "-t", "t%", "-T", "x", "--exclude-table", "y");
        assertThat(a.list("schema")).containsExactly("public", "app");
        assertThat(a.list("exclude-schema")).containsExactly("tmp");
        assertThat(a.list("table")).containsExactly("t%");
        assertThat(a.list("exclude-table")).containsExactly("x", "y");
        assertThat(a.words()).containsExactly("add", "all", "tables");
    }

    @Test
    void flagsAndDirectories() {
        Args a = Args.parse("--batch", "--quiet", "--debug", "--piddir", "/p", "--pid-dir=/q", "--logdir", "/l", "--log-level", "verbose",
                "--no-ibexrc", "start");
        assertThat(a.flag("batch")).isTrue();
        assertThat(a.flag("quiet")).isTrue();
        assertThat(a.flag("debug")).isTrue();
        assertThat(a.flag("no-ibexrc")).isTrue();
        assertThat(a.value("piddir")).isEqualTo("/q");
        assertThat(a.value("logdir")).isEqualTo("/l");
        assertThat(a.value("log_level")).isEqualTo("verbose");
    }

    @Test
    void doubleDashEndsOptionsAndNumbersAreWords() {
        Args a = Args.parse("message", "--", "--force", "is", "text");
        assertThat(a.flag("force")).isFalse();
        assertThat(a.words()).containsExactly("message", "--force", "is", "text");
        assertThat(Args.parse("kick", "s", "-1").words()).containsExactly("kick", "s", "-1");
        assertThat(Args.parse("message", "-").words()).containsExactly("message", "-");
    }

    @Test
    void badOptionsAreOneLineErrors() {
        assertThatThrownBy(() -> Args.parse("--nope")).isInstanceOf(IbexException.class).hasMessageContaining("unknown option --nope");
        assertThatThrownBy(() -> Args.parse("-x")).isInstanceOf(IbexException.class).hasMessageContaining("unknown option -x");
        assertThatThrownBy(() -> Args.parse("status", "--dbhost")).isInstanceOf(IbexException.class).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Args.parse("--force=yes")).isInstanceOf(IbexException.class).hasMessageContaining("takes no value");
    }

    @Test
    void aLoneDashHAtTheEndAsksForHelp() {
        assertThat(Args.parse("-h").flag("help")).isTrue();
        assertThat(Args.parse("-h", "db1", "status").value("dbhost")).isEqualTo("db1");
    }

    @Test
    void dbAndRelgroupOptions() {
        Args a = Args.parse("add", "table", "t", "--db", "pgdb84", "--herd", "h");
        assertThat(a.value("db")).isEqualTo("pgdb84");
        assertThat(a.value("relgroup")).isEqualTo("h");
    }
}
