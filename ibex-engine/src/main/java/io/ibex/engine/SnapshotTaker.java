package io.ibex.engine;

import io.ibex.db.Pg;
import io.ibex.model.DaemonSnapshot;
import io.ibex.model.DaemonSnapshot.ConflictLine;
import io.ibex.model.DaemonSnapshot.Copy;
import io.ibex.model.DaemonSnapshot.SyncSnapshot;
import io.ibex.model.DaemonSnapshot.Undelivered;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.Relation;
import io.ibex.model.Role;
import io.ibex.model.Sync;
import io.ibex.model.SyncRun;
import io.ibex.repository.Repository;
import io.ibex.spi.ChangeSources;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Measures the daemon's syncs and databases for the metrics and the status page ({@link DaemonSnapshot}): one
 * repository read, one session per database. Also what {@code ibex check} reads, so both say the same.
 */
public final class SnapshotTaker {
    private static final int CONFLICT_TAIL = 10;

    private SnapshotTaker() {
    }

    /** syncNames: those to measure, or every one when empty. The repository's transaction is ended after. */
    public static DaemonSnapshot take(Repository repo, List<String> syncNames, String version) {
        List<SyncSnapshot> syncs = new ArrayList<>();
        Map<String, Boolean> up = new TreeMap<>();
        Map<String, Long> bytes = new TreeMap<>();
        for (Sync s : repo.syncs()) {
            if (!syncNames.isEmpty() && !syncNames.contains(s.name())) {
                continue;
            }
            syncs.add(sync(repo, s, up, bytes));
        }
        repo.commit();
        return new DaemonSnapshot(Instant.now(), version, hostName(), ProcessHandle.current().pid(), syncs, up, bytes);
    }

    private static SyncSnapshot sync(Repository repo, Sync s, Map<String, Boolean> up, Map<String, Long> bytes) {
        DbGroup group = repo.requireDbGroup(s.dbgroup());
        List<Relation> tables = repo.requireRelGroup(s.relgroup()).members().stream().filter(r -> !r.isSequence()).toList();
        List<Undelivered> targets = new ArrayList<>();
        for (DbGroup.Member m : group.members()) {
            Database db = repo.requireDatabase(m.db());
            if (m.role() == Role.SOURCE && db.active()) {
                List<Undelivered> u = Backlogs.undelivered(repo, s.name(), db, tables);
                targets.addAll(u);
                boolean reached = u.isEmpty() ? reachable(db, up) : u.stream().allMatch(x -> x.error() == null);
                if (reached && !bytes.containsKey(db.name())) {
                    captureBytes(db).ifPresent(b -> bytes.put(db.name(), b));
                }
                up.merge(db.name(), reached, Boolean::logicalAnd);
            } else if (db.active()) {
                up.computeIfAbsent(db.name(), k -> reachable(db, up));
            }
        }
        Optional<SyncRun> bad = repo.runs().lastRun(s.name(), "bad");
        List<Copy> copies = repo.copyProgressLog().copyProgress(s.name()).stream()
                .map(c -> new Copy(c.target(), c.table(), c.rowsCopied(), c.rowsEstimated(), instant(c.started()), instant(c.finished())))
                .toList();
        List<ConflictLine> conflicts = repo.conflictLog().conflicts(s.name(), CONFLICT_TAIL).stream()
                .map(k -> new ConflictLine(instant(k.at()), k.table(), k.key(), k.winner(), k.strategy())).toList();
        return new SyncSnapshot(s.name(), state(repo, s), s.active(), s.paused(), targets,
                bad.map(SyncRun::error).orElse(null), bad.map(r -> instant(r.ended())).orElse(null), copies, conflicts);
    }

    /** As {@code ibex status} words it: Inactive, Paused, Bad, the running run's state, or Good. */
    static String state(Repository repo, Sync s) {
        if (!s.active()) {
            return "Inactive";
        }
        if (s.paused()) {
            return "Paused";
        }
        List<SyncRun> lanes = repo.runs().latestRunPerLane(s.name());
        if (lanes.isEmpty()) {
            return "No records found";
        }
        if (lanes.stream().anyMatch(r -> "bad".equals(r.outcome()))) {
            return "Bad";
        }
        return lanes.stream().filter(r -> r.ended() == null).map(SyncRun::state).findFirst().orElse("Good");
    }

    /** Whether the database answers (asked once per snapshot: the map remembers a database already asked). */
    private static boolean reachable(Database db, Map<String, Boolean> asked) {
        Boolean known = asked.get(db.name());
        if (known != null) {
            return known;
        }
        try (Connection c = db.connection().open("ibex-status")) {
            return Pg.queryLong(c, "SELECT 1") == 1;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    private static Optional<Long> captureBytes(Database db) {
        try (Connection c = db.connection().open("ibex-status")) {
            return Optional.of(ChangeSources.of(db).captureBytes(c));
        } catch (SQLException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
