package io.ibex.settings;

import io.ibex.IbexException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    @Test
    void everySettingHasItsDefault() {
        assertThat(Settings.DEFAULTS).containsExactly(
                Map.entry("copy_parallelism", "2"),
                Map.entry("copy_split_rows", "1000000"),
                Map.entry("create_tables", "on"),
                Map.entry("gather_max_ms", "500"),
                Map.entry("gather_ms", "20"),
                Map.entry("http_listen", "127.0.0.1:9187"),
                Map.entry("lease_seconds", "15"),
                Map.entry("log_level", "normal"),
                Map.entry("max_backoff", "60"),
                Map.entry("poll_ms", "10"),
                Map.entry("purge_interval", "30"),
                Map.entry("slice_keys", "500000"),
                Map.entry("status_interval", "10"));
        Settings d = Settings.defaults();
        assertThat(d).isEqualTo(new Settings(2, 20, 500, Optional.empty(), 60, 10, 30, 500_000));
        assertThat(d.createTables()).isTrue();
        assertThat(d.copySplitRows()).isEqualTo(1_000_000);
        assertThat(Settings.parse(Map.of("create_tables", "off")).createTables()).isFalse();
        assertThat(Settings.problem("create_tables", "maybe")).contains("create_tables must be on or off, not \"maybe\"");
        assertThat(d.maxBackoffMs()).isEqualTo(60_000);
        assertThat(d.purgeIntervalMs()).isEqualTo(30_000);
        assertThat(d.validate()).isEmpty();
    }

    @Test
    void theRepositorysValuesOverrideTheDefaults() {
        Settings s = Settings.parse(Map.of("gather_ms", "5", "max_backoff", "2", "log_level", "verbose", "slice_keys", "1000"));
        assertThat(s.gatherMs()).isEqualTo(5);
        assertThat(s.maxBackoffMs()).isEqualTo(2_000);
        assertThat(s.sliceKeys()).isEqualTo(1_000);
        assertThat(s.logLevel()).contains(LogLevel.VERBOSE);
        assertThat(s.copyParallelism()).isEqualTo(2);
        assertThat(s.pollMs()).isEqualTo(10);
    }

    @Test
    void aLogLevelNotSetIsEmptySoTheDaemonKeepsItsCommandLinesLevel() {
        assertThat(Settings.parse(Map.of("poll_ms", "3")).logLevel()).isEmpty();
        assertThat(Settings.parse(Map.of("log_level", "terse")).logLevel()).contains(LogLevel.TERSE);
    }

    @Test
    void namesThatAreNotSettingsAreIgnoredWhenRead() {
        assertThat(Settings.parse(Map.of("colour", "blue"))).isEqualTo(Settings.defaults());
    }

    @Test
    void eachBadValueIsOneSentence() {
        assertThat(Settings.validate(Map.of("gather_ms", "0", "poll_ms", "fast", "log_level", "loud", "slice_keys", "-3")))
                .containsExactly(
                        "gather_ms must be a positive whole number, not \"0\"",
                        "log_level must be terse, normal, verbose or debug, not \"loud\"",
                        "poll_ms must be a positive whole number, not \"fast\"",
                        "slice_keys must be a positive whole number, not \"-3\"");
        assertThat(Settings.validate(Map.of("copy_parallelism", "4", "log_level", "DEBUG"))).isEmpty();
    }

    @Test
    void anUnknownSettingNamesTheKnownOnes() {
        assertThat(Settings.problem("NoSuch", "1")).contains("unknown setting \"NoSuch\": one of copy_parallelism, copy_split_rows, "
                + "create_tables, gather_max_ms, gather_ms, http_listen, lease_seconds, log_level, max_backoff, poll_ms, purge_interval, slice_keys, status_interval");
        assertThat(Settings.problem("MAX_BACKOFF", "x")).contains("max_backoff must be a positive whole number, not \"x\"");
        assertThat(Settings.problem("max_backoff", "9")).isEmpty();
    }

    @Test
    void httpListenIsHostAndPortOrOff() {
        assertThat(Settings.parse(Map.of("http_listen", "0.0.0.0:9999")).httpListen()).isEqualTo(new HttpListen("0.0.0.0", 9999));
        assertThat(Settings.parse(Map.of("http_listen", "[::1]:9187")).httpListen().host()).isEqualTo("::1");
        assertThat(Settings.parse(Map.of("http_listen", "OFF")).httpListen().off()).isTrue();
        assertThat(Settings.defaults().httpListen().text()).isEqualTo("127.0.0.1:9187");
        for (String bad : new String[] {"9187", ":9187", "localhost:0", "localhost:70000", "localhost:http", "a b:1"}) {
            assertThat(Settings.problem("http_listen", bad)).as(bad)
                    .contains("http_listen must be HOST:PORT (port 1-65535) or off, not \"" + bad + "\"");
        }
        assertThat(Settings.problem("status_interval", "0")).contains("status_interval must be a positive whole number, not \"0\"");
    }

    @Test
    void aNumberBeyondAWholeNumberIsRefused() {
        assertThat(Settings.problem("slice_keys", "9999999999")).contains("slice_keys must be a positive whole number, not \"9999999999\"");
    }

    @Test
    void readingABadValueNamesEveryOne() {
        assertThatThrownBy(() -> Settings.parse(Map.of("gather_ms", "x", "poll_ms", "0")))
                .isInstanceOf(IbexException.class)
                .hasMessage("gather_ms must be a positive whole number, not \"x\"; poll_ms must be a positive whole number, not \"0\"");
    }

    @Test
    void valuesBuiltInCodeAreCheckedToo() {
        assertThat(new Settings(0, 20, 500, Optional.empty(), 60, -1, 30, 500_000).validate()).containsExactly(
                "copy_parallelism must be a positive whole number, not \"0\"",
                "poll_ms must be a positive whole number, not \"-1\"");
        assertThat(Settings.defaults().withGatherMs(600).gatherMs()).isEqualTo(600);
    }
}
