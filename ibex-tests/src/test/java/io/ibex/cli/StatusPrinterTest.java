package io.ibex.cli;

import io.ibex.api.SyncStatus;
import io.ibex.model.Sync;
import io.ibex.model.SyncRun;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class StatusPrinterTest {
    static final ZoneOffset Z = ZoneOffset.UTC;
    static final Sync SYNC = new Sync("sync_pg84_rds96", "herd_pg84", "pgdb84_to_rds96", "active", false, true, null, 0, true, true, "latest",
            "delete", true, 0);
    final StatusPrinter printer = new StatusPrinter(ZonedDateTime.of(2019, 12, 5, 8, 52, 24, 0, Z));

    static SyncRun run(String outcome, int h, int m, int s, long deletes, long inserts, String error) {
        OffsetDateTime end = OffsetDateTime.of(2019, 12, 5, h, m, s, 0, Z);
        return new SyncRun(1, SYNC.name(), "rds96", end.minusSeconds(1), end, "done", outcome, deletes, inserts, 0, 0, error);
    }

    @Test
    void detailBeforeAnyRunMatchesTheWalkthrough() {
        SyncStatus s = new SyncStatus(SYNC, "No records found", Optional.empty(), Optional.empty(), Optional.empty(), "pgdb84", 3,
                Map.of(), null);
        assertThat(printer.details(List.of(s))).containsExactly(
                "======================================================================",
                "Sync name                : sync_pg84_rds96",
                "Current state            : No records found",
                "Source relgroup/database : herd_pg84 / pgdb84",
                "Tables in sync           : 3",
                "Status                   : Active",
                "Check time               : None",
                "Overdue time             : 00:00:00",
                "Expired time             : 00:00:00",
                "Stayalive/Kidsalive      : Yes / Yes",
                "Rebuild index            : No",
                "Autokick                 : Yes",
                "Onetimecopy              : No",
                "Post-copy analyze        : Yes",
                "Backlog                  : None",
                "Last error:              : ",
                "======================================================================");
    }

    @Test
    void detailAfterGoodAndBadRuns() {
        SyncRun good = run("good", 8, 51, 21, 294, 294, null);
        SyncRun bad = run("bad", 8, 35, 6, 0, 0, "Failed : function rds_session_replication_role(unknown)\ndoes not exist");
        Map<String, Long> backlog = new LinkedHashMap<>();
        backlog.put("rds96", 12L);
        SyncStatus s = new SyncStatus(SYNC, "Good", Optional.of(good), Optional.of(bad), Optional.of(good), "pgdb84", 3, backlog, null);
        List<String> lines = printer.detail(s);
        assertThat(lines.subList(0, 5)).containsExactly(
                "Last good                : Dec 05, 2019 08:51:21 (time to run: 1s)",
                "Rows deleted/inserted    : 294 / 294",
                "Last bad                 : Dec 05, 2019 08:35:06 (time until fail: 1s)",
                "Sync name                : sync_pg84_rds96",
                "Current state            : Good");
        assertThat(lines).contains("Backlog                  : rds96: 12 changes",
                "Last error:              : Dec 05, 2019 08:35:06 (good runs since): Failed : function rds_session_replication_role(unknown) does not exist");
        assertThat(lines.stream().filter(l -> !l.startsWith("Last error")).allMatch(l -> l.charAt(25) == ':')).isTrue();
    }

    @Test
    void backlogErrorAndSingular() {
        SyncStatus s = new SyncStatus(SYNC, "Good", Optional.empty(), Optional.empty(), Optional.empty(), "pgdb84", 3,
                Map.of("rds96", 1L), null);
        assertThat(StatusPrinter.backlog(s)).isEqualTo("rds96: 1 change");
        SyncStatus e = new SyncStatus(SYNC, "Good", Optional.empty(), Optional.empty(), Optional.empty(), "pgdb84", 3,
                Map.of(), "cannot connect to source database \"pgdb84\"");
        assertThat(StatusPrinter.backlog(e)).isEqualTo("unknown: cannot connect to source database \"pgdb84\"");
    }

    @Test
    void summaryTableShowsInsertsThenDeletes() {
        SyncRun good = run("good", 8, 51, 21, 10, 294, null);
        SyncRun bad = run("bad", 8, 35, 6, 0, 0, "x");
        SyncStatus s = new SyncStatus(SYNC, "Good", Optional.of(good), Optional.of(bad), Optional.of(good), "pgdb84", 3, Map.of(), null);
        List<String> lines = printer.summary(List.of(s));
        assertThat(lines).containsExactly(
                " Name              State   Last good   Time    Last I/D   Last bad   Time",
                "=================+=======+===========+=======+==========+==========+=========",
                " sync_pg84_rds96 | Good  | 08:51:21  | 1m 3s | 294/10   | 08:35:06 | 17m 18s");
        assertThat(StatusPrinter.pidLine(Optional.of(15337L))).isEqualTo("PID of ibex daemon: 15337");
        assertThat(StatusPrinter.pidLine(Optional.empty())).isEqualTo("ibex is not running");
    }

    @Test
    void replicaModeLinesFollowTheBacklog() {
        Map<String, String> modes = new LinkedHashMap<>();
        modes.put("rds96", "SET session_replication_role");
        modes.put("gcp", "function public.ibex_replication_role()");
        SyncStatus s = new SyncStatus(SYNC, "Good", Optional.empty(), Optional.empty(), Optional.empty(), "pgdb84", 3,
                Map.of("rds96", 0L), null, modes);
        List<String> lines = printer.detail(s);
        int backlog = lines.indexOf("Backlog                  : rds96: 0 changes");
        assertThat(lines.subList(backlog, lines.size())).containsExactly(
                "Backlog                  : rds96: 0 changes",
                "Replica mode             : rds96: SET session_replication_role",
                "Replica mode             : gcp: function public.ibex_replication_role()",
                "Last error:              : ");
        SyncStatus none = new SyncStatus(SYNC, "Good", Optional.empty(), Optional.empty(), Optional.empty(), "pgdb84", 3,
                Map.of(), null, Map.of());
        assertThat(printer.detail(none)).noneMatch(l -> l.startsWith("Replica mode"));
    }

    @Test
    void lastIdShowsConflictsAsTheThirdNumberAsBucardoDoes() {
        OffsetDateTime end = OffsetDateTime.of(2019, 12, 5, 8, 51, 21, 0, Z);
        SyncRun conflicts = new SyncRun(1, SYNC.name(), null, end.minusSeconds(1), end, "done", "good", 10, 294, 3, 0, null);
        SyncRun truncates = new SyncRun(1, SYNC.name(), null, end.minusSeconds(1), end, "done", "good", 10, 294, 0, 2, null);
        SyncRun both = new SyncRun(1, SYNC.name(), null, end.minusSeconds(1), end, "done", "good", 10, 294, 3, 2, null);
        assertThat(StatusPrinter.insertsDeletes(conflicts)).isEqualTo("294/10/3");
        assertThat(StatusPrinter.insertsDeletes(truncates)).isEqualTo("294/10");
        assertThat(StatusPrinter.insertsDeletes(both)).isEqualTo("294/10/3");
        SyncStatus s = new SyncStatus(SYNC, "Good", Optional.of(both), Optional.empty(), Optional.of(both), "pgdb84", 3, Map.of(), null);
        assertThat(printer.summary(List.of(s)).get(2)).contains("| 294/10/3 |");
        assertThat(printer.detail(s)).contains("Rows deleted/inserted    : 10 / 294 / truncates 2 / conflicts 3");
    }

    @Test
    void prettyDurationsAndClock() {
        assertThat(StatusPrinter.pretty(Duration.ZERO)).isEqualTo("0s");
        assertThat(StatusPrinter.pretty(Duration.ofSeconds(63))).isEqualTo("1m 3s");
        assertThat(StatusPrinter.pretty(Duration.ofSeconds(3600 + 5))).isEqualTo("1h 5s");
        assertThat(StatusPrinter.pretty(Duration.ofSeconds(2 * 86400 + 3600))).isEqualTo("2d 1h");
        assertThat(StatusPrinter.pretty(Duration.ofSeconds(-5))).isEqualTo("0s");
        assertThat(StatusPrinter.clock(300)).isEqualTo("00:05:00");
    }

    @Test
    void theLastErrorShowsItsTimeAndStandsAloneWhenNoGoodRunFollowed() {
        SyncRun good = run("good", 8, 35, 0, 1, 1, null);
        SyncRun bad = run("bad", 8, 51, 0, 0, 0, "database \"rds96\": connection refused");
        SyncStatus s = new SyncStatus(SYNC, "Bad", Optional.of(good), Optional.of(bad), Optional.of(good), "pgdb84", 3, Map.of(), null);
        assertThat(printer.detail(s)).contains("Last error:              : Dec 05, 2019 08:51:00: database \"rds96\": connection refused");
    }

    @Test
    void inactiveDatabasesAreShown() {
        SyncStatus s = new SyncStatus(SYNC, "Waiting (skipping inactive rds96)", Optional.empty(), Optional.empty(), Optional.empty(),
                "pgdb84", 3, Map.of(), null, Map.of(), List.of(), List.of("rds96"));
        assertThat(printer.detail(s)).contains("Current state            : Waiting (skipping inactive rds96)",
                "Inactive databases       : rds96 (skipped; their changes wait)");
    }
}
