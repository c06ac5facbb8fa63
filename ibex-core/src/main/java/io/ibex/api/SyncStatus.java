package io.ibex.api;

import io.ibex.db.Pg;
import io.ibex.engine.Backlogs;
import io.ibex.engine.Lanes;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.RelGroup;
import io.ibex.repository.CopyProgress;
import io.ibex.repository.Repository;
import io.ibex.model.Role;
import io.ibex.model.Sync;
import io.ibex.model.SyncRun;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetProvider;
import io.ibex.spi.TargetRegistry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code ibex status} shows of one sync: its last good and bad runs, what it is doing now, its options, and
 * the backlog of changes each target has still to receive (null where a source could not be reached).
 */
public record SyncStatus(Sync sync, String currentState, Optional<SyncRun> lastGood, Optional<SyncRun> lastBad,
                         Optional<SyncRun> lastWithRows, String sourceDb, int tables, Map<String, Long> backlog,
                         String backlogError, Map<String, String> replicaModes, List<CopyProgress> copies,
                         List<String> inactiveDbs, List<String> held) {

    public SyncStatus(Sync sync, String currentState, Optional<SyncRun> lastGood, Optional<SyncRun> lastBad,
                      Optional<SyncRun> lastWithRows, String sourceDb, int tables, Map<String, Long> backlog,
                      String backlogError, Map<String, String> replicaModes, List<CopyProgress> copies, List<String> inactiveDbs) {
        this(sync, currentState, lastGood, lastBad, lastWithRows, sourceDb, tables, backlog, backlogError, replicaModes, copies, inactiveDbs,
                List.of());
    }

    public SyncStatus(Sync sync, String currentState, Optional<SyncRun> lastGood, Optional<SyncRun> lastBad,
                      Optional<SyncRun> lastWithRows, String sourceDb, int tables, Map<String, Long> backlog, String backlogError,
                      Map<String, String> replicaModes, List<CopyProgress> copies) {
        this(sync, currentState, lastGood, lastBad, lastWithRows, sourceDb, tables, backlog, backlogError, replicaModes, copies, List.of());
    }

    public SyncStatus(Sync sync, String currentState, Optional<SyncRun> lastGood, Optional<SyncRun> lastBad,
                      Optional<SyncRun> lastWithRows, String sourceDb, int tables, Map<String, Long> backlog, String backlogError) {
        this(sync, currentState, lastGood, lastBad, lastWithRows, sourceDb, tables, backlog, backlogError, Map.of(), List.of());
    }

    public SyncStatus(Sync sync, String currentState, Optional<SyncRun> lastGood, Optional<SyncRun> lastBad,
                      Optional<SyncRun> lastWithRows, String sourceDb, int tables, Map<String, Long> backlog, String backlogError,
                      Map<String, String> replicaModes) {
        this(sync, currentState, lastGood, lastBad, lastWithRows, sourceDb, tables, backlog, backlogError, replicaModes, List.of());
    }

    static SyncStatus of(Repository repo, Sync s) {
        List<SyncRun> lanes = repo.runs().latestRunPerLane(s.name());
        Optional<SyncRun> good = repo.runs().lastRun(s.name(), "good", "empty");
        Optional<SyncRun> bad = repo.runs().lastRun(s.name(), "bad");
        Optional<SyncRun> rows = repo.runs().lastRun(s.name(), "good");
        String state;
        Optional<SyncRun> running = lanes.stream().filter(r -> r.ended() == null).findFirst();
        if (lanes.isEmpty()) {
            state = "No records found";
        } else if (lanes.stream().anyMatch(r -> "bad".equals(r.outcome()))) {
            state = "Bad";
        } else if (running.isPresent()) {
            state = running.get().state();
        } else {
            state = "Good";
        }
        DbGroup group = repo.requireDbGroup(s.dbgroup());
        Lanes laneSplit = Lanes.of(group, n -> repo.database(n).orElse(null));
        if (!laneSplit.skipped().isEmpty()) {
            state = (laneSplit.running().isEmpty() ? "Waiting" : state) + " (skipping inactive " + String.join(", ", laneSplit.inactiveDbs()) + ")";
        }
        if (!s.active()) {
            state = "Inactive";
        }
        RelGroup relgroup = repo.requireRelGroup(s.relgroup());
        String source = String.join(",", group.dbsWithRole(Role.SOURCE));
        Map<String, Long> backlog = new LinkedHashMap<>();
        String backlogError = null;
        for (String src : group.dbsWithRole(Role.SOURCE)) {
            Backlogs.OfSource counted = Backlogs.ofSource(repo, s.name(), repo.requireDatabase(src),
                    relgroup.members().stream().filter(r -> !r.isSequence()).toList());
            backlog.putAll(counted.backlog());
            backlogError = counted.error() != null ? counted.error() : backlogError;
        }
        Map<String, String> modes = new LinkedHashMap<>();
        for (DbGroup.Member m : group.members()) {
            if (m.role() == Role.SOURCE && group.dbsWithRole(Role.SOURCE).size() == 1) {
                continue;
            }
            Database db = repo.requireDatabase(m.db());
            Optional<TargetProvider> provider = TargetRegistry.installed().find(db.type());
            if (provider.isPresent() && !provider.get().can(TargetCapability.REPLICA_MODE)) {
                continue;
            }
            try {
                modes.put(db.name(), TargetRegistry.installed().require(db).detectReplicaMode(db));
            } catch (RuntimeException e) {
                modes.put(db.name(), "unknown: " + Pg.firstLine(e));
            }
        }
        // one line per held table: the table, the target, the reason (which names the column) and the fix
        // (a sync with several sources holds a table on every database: one row per source, one line)
        List<String> held = repo.schemaChanges().held(s.name()).stream()
                .map(h -> h.table() + ("*".equals(h.targetDb()) ? " on every database" : " for " + h.targetDb()) + ": " + h.reason() + "; "
                        + h.fix()).distinct().toList();
        long heldTables = repo.schemaChanges().held(s.name()).stream().map(h -> h.table()).distinct().count();
        if (heldTables > 0 && s.active()) {
            state = state + " (holding " + heldTables + (heldTables == 1 ? " table" : " tables") + ")";
        }
        return new SyncStatus(s, state, good, bad, rows, source, relgroup.members().size(), backlog, backlogError, modes,
                repo.copyProgressLog().copyProgress(s.name()), laneSplit.holding(), held);
    }

}
