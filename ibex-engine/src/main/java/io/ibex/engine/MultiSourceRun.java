package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.spi.ConflictResolver;
import io.ibex.spi.Target;
import io.ibex.model.TableInfo;
import io.ibex.model.Database;
import io.ibex.repository.Conflict;
import io.ibex.repository.Repository;
import io.ibex.model.Role;
import io.ibex.spi.ChangeReader;
import io.ibex.spi.ChangeSources;
import io.ibex.spi.ChangeWindow;
import io.ibex.spi.CustomCode.When;
import io.ibex.spi.Position;
import io.ibex.spi.PositionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of a sync with several sources. Each source is read at its own snapshot; a key changed on two or more
 * sources since the last run is a conflict, decided per row by the sync's strategy and recorded. Then every
 * database gets, from each other source, the rows of the keys that source won or alone changed, all in one
 * transaction per database. Positions move only when every database has committed; a failure before that
 * makes the next run redo the same windows, which is harmless because the apply is by key and by state.
 */
final class MultiSourceRun {

    private static final Logger log = LoggerFactory.getLogger(MultiSourceRun.class);

    private final Repository repo;
    private final PositionStore positions;
    private final SyncRunner connections;
    private final SyncPlan plan;
    private final long runId;
    private final ConflictStrategy strategy;

    private final CustomCodeChain hooks;
    /** The database being applied to, for exception custom code; null before the apply. */
    private String applyingTo;

    MultiSourceRun(Repository repo, SyncRunner connections, SyncPlan plan, long runId, CustomCodeChain hooks) {
        this.hooks = hooks;
        this.repo = repo;
        this.positions = new RepositoryPositions(repo);
        this.connections = connections;
        this.plan = plan;
        this.runId = runId;
        this.strategy = ConflictStrategy.parse(plan.sync().conflictStrategy(), plan.sources().stream().map(Database::name).toList());
    }

    /** A changed key of one source: its COPY text line (key columns only) and the time of its newest change. */
    private record Change(String keyLine, long changedAt) {
    }

    RunResult run() throws SQLException, IOException {
        String sync = plan.sync().name();
        List<Database> everyone = new ArrayList<>(plan.sources());
        plan.targets().stream().filter(m -> m.role() == Role.TARGET).forEach(m -> everyone.add(m.db()));
        Map<String, ChangeReader> sessions = new LinkedHashMap<>();
        Map<String, ChangeWindow> windows = new HashMap<>();
        try {
            for (Database s : plan.sources()) {
                ChangeReader session = ChangeSources.of(s).read(connections.source(s));
                sessions.put(s.name(), session);
                String other = everyone.stream().map(Database::name).filter(n -> !n.equals(s.name())).findFirst().orElseThrow();
                Position prev = positions.position(sync, s.name(), other).orElseThrow(() -> new IbexException(
                        "sync \"" + sync + "\" has no starting position for " + s.name()));
                windows.put(s.name(), new ChangeWindow(prev, session.position(), plan.applicationName()));
            }
            if (plan.sync().onetimecopy() > 0) {
                return copyFromFirstSource(everyone, sessions);
            }
            Map<String, Target> pureTargets = new LinkedHashMap<>();
            plan.targets().stream().filter(m -> m.role() == Role.TARGET).forEach(m -> pureTargets.put(m.db().name(), connections.target(plan, m.db())));
            // every database's columns, as this run's snapshots see them, before any change is read (see MultiSourceGate)
            MultiSourceGate.Outcome gated = MultiSourceGate.pass(repo, plan, sessions, windows, pureTargets, (name, t) -> {
                Database s = plan.sources().stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
                return ChangeSources.of(s).table(connections.source(s), t.schema(), t.name()).map(TableInfo::keyColumns).orElse(null);
            });
            List<SyncPlan.Table> tables = gated.apply();
            long deletes = 0;
            long inserts = 0;
            long conflicts = 0;
            // per table and source: the keys that source pushes to every other database
            Map<SyncPlan.Table, Map<String, List<String>>> pushes = new LinkedHashMap<>();
            Map<SyncPlan.Table, String> truncatedBy = new LinkedHashMap<>();
            for (SyncPlan.Table t : tables) {
                // a truncate on a source wins over every other source's changes of this run; the latest truncate
                // wins over the others, and only its source's later changes go on
                String truncator = null;
                long latest = Long.MIN_VALUE;
                Map<String, ChangeWindow> tableWindows = windowsOf(t, windows, gated);
                for (Database s : plan.sources()) {
                    ChangeWindow w = tableWindows.get(s.name());
                    Long at = w.isEmpty() ? null : sessions.get(s.name()).lastTruncate(t.info(), w);
                    if (at != null && at > latest) {
                        latest = at;
                        truncator = s.name();
                    }
                }
                if (truncator != null) {
                    truncatedBy.put(t, truncator);
                }
                Map<String, Map<String, Change>> changed = new LinkedHashMap<>();
                for (Database s : plan.sources()) {
                    ChangeWindow w = tableWindows.get(s.name());
                    if ((truncator == null || truncator.equals(s.name())) && !w.isEmpty() && sessions.get(s.name()).hasChanges(t.info(), w)) {
                        changed.put(s.name(), read(sessions.get(s.name()).keysWithChangeTime(t.info(), w)));
                    }
                }
                if (changed.isEmpty()) {
                    continue;
                }
                Map<String, List<String>> push = new LinkedHashMap<>();
                changed.forEach((db, keys) -> push.put(db, new ArrayList<>()));
                Map<String, Map<String, Long>> byKey = new LinkedHashMap<>();
                changed.forEach((db, keys) -> keys.values().forEach(ch ->
                        byKey.computeIfAbsent(ch.keyLine(), k -> new LinkedHashMap<>()).put(db, ch.changedAt())));
                Map<String, Long> newestInTable = new LinkedHashMap<>();
                changed.forEach((db, keys) -> newestInTable.put(db, keys.values().stream().mapToLong(Change::changedAt).max().orElse(0)));
                List<String> abort = new ArrayList<>();
                for (var e : byKey.entrySet()) {
                    if (e.getValue().size() == 1) {
                        push.get(e.getValue().keySet().iterator().next()).add(e.getKey());
                        continue;
                    }
                    conflicts++;
                    if (strategy.kind() == ConflictStrategy.Kind.ABORT) {
                        abort.add(e.getKey());
                        continue;
                    }
                    ConflictResolver.Conflict c = new ConflictResolver.Conflict(sync, t.info().schema(), t.info().name(),
                            t.info().keyColumns(), List.of(e.getKey().split("\t", -1)), e.getValue());
                    String winner = hooks.onConflict(c, strategy.winner(c, newestInTable), this::sessions);
                    if (winner != null) {
                        push.get(winner).add(e.getKey());
                    }
                    repo.conflictLog().recordConflict(new Conflict(sync, runId, t.info().qualifiedName(), e.getKey().replace('\t', ','),
                            List.copyOf(e.getValue().keySet()), winner, strategy.toString(), null));
                    log.info("KID ({}) Conflict on {} key {} between {}: {} wins", sync, t.info().qualifiedName(),
                            e.getKey().replace('\t', ','), e.getValue().keySet(), winner == null ? "nobody (skip)" : winner);
                }
                if (!abort.isEmpty()) {
                    throw new ConflictAbort(t.info().qualifiedName(), abort);
                }
                pushes.put(t, push);
            }
            if (pushes.isEmpty() && truncatedBy.isEmpty()) {
                saveAll(everyone, sessions);
                return new RunResult(0, 0, 0, conflicts, List.of(), false);
            }
            Map<String, Long> batch = new LinkedHashMap<>();
            pushes.forEach((t, p) -> batch.put(t.info().qualifiedName(), (long) p.values().stream().mapToInt(List::size).sum()));
            truncatedBy.keySet().forEach(t -> batch.putIfAbsent(t.info().qualifiedName(), 0L));
            hooks.at(When.BEFORE_CHECK_ROWS, null, this::sessions, batch, false);
            repo.runs().runState(runId, "Applying");
            repo.commit();
            hooks.at(When.BEFORE_TXN, null, this::sessions, batch, false);
            List<Target> open = new ArrayList<>();
            long truncates = 0;
            for (Database d : everyone) {
                applyingTo = d.name();
                Target target = connections.target(plan, d);
                target.begin();
                open.add(target);
                hooks.at(When.BEFORE_TRIGGER_DROP, d.name(), this::sessions, batch, true);
                // a truncate wins: the truncating source's whole table is copied over every other database, which
                // also carries rows ibex itself applied there while the truncate was in progress
                for (var tr : truncatedBy.entrySet()) {
                    if (!tr.getValue().equals(d.name())) {
                        target.truncate(tr.getKey().info());
                        inserts += target.insertRows(tr.getKey().info(), sessions.get(tr.getValue()).allRows(tr.getKey().info()));
                        truncates++;
                        log.info("KID ({}) Truncated {} on {} and copied it from {}, where it was truncated", sync,
                                tr.getKey().info().qualifiedName(), d.name(), tr.getValue());
                    }
                }
                for (var tp : pushes.entrySet()) {
                    if (truncatedBy.containsKey(tp.getKey())) {
                        continue; // copied whole above
                    }
                    TableInfo info = tp.getKey().info();
                    for (var p : tp.getValue().entrySet()) {
                        if (p.getKey().equals(d.name()) || p.getValue().isEmpty()) {
                            continue;
                        }
                        long del = target.deleteKeys(info, lines(p.getValue()));
                        long ins = target.insertRows(info, sessions.get(p.getKey()).rowsOf(info, lines(p.getValue())));
                        deletes += del;
                        inserts += ins;
                        log.info("KID ({}) Delta count for {}.{} : {} (deleted {}, inserted {} on {})", sync, p.getKey(),
                                info.qualifiedName(), p.getValue().size(), del, ins, d.name());
                    }
                }
                hooks.at(When.AFTER_TRIGGER_DROP, d.name(), this::sessions, batch, true);
            }
            applyingTo = null;
            for (Target t : open) {
                t.commit();
            }
            hooks.at(When.AFTER_TXN, null, this::sessions, batch, false);
            saveAll(everyone, sessions);
            return new RunResult(deletes, inserts, truncates, conflicts, List.of(), false);
        } finally {
            sessions.values().forEach(ChangeReader::close);
        }
    }

    /**
     * onetimecopy with several sources: the first source is the reference. Every other database gets its tables
     * copied from the first source's snapshot; every source's position is its snapshot taken before the copy,
     * so changes made anywhere during the copy follow.
     */
    private RunResult copyFromFirstSource(List<Database> everyone, Map<String, ChangeReader> sessions) throws SQLException {
        Database first = plan.sources().get(0);
        long rows = 0;
        for (Database d : everyone) {
            if (d.name().equals(first.name())) {
                continue;
            }
            rows += connections.copyTables(plan, first, d, runId, sessions.get(first.name()), plan.tables());
        }
        saveAll(everyone, sessions);
        repo.updateSync(plan.sync().name(), "onetimecopy", 0);
        repo.commit();
        return new RunResult(0, rows, 0, List.of(), false);
    }

    /** A table released from a hold in this run is read from each source's position of the hold; the others from prev. */
    private static Map<String, ChangeWindow> windowsOf(SyncPlan.Table t, Map<String, ChangeWindow> windows, MultiSourceGate.Outcome gated) {
        Map<String, Position> since = gated.since().get(t.info().qualifiedName());
        if (since == null) {
            return windows;
        }
        Map<String, ChangeWindow> out = new HashMap<>(windows);
        since.forEach((s, from) -> {
            ChangeWindow w = windows.get(s);
            if (w != null) {
                out.put(s, new ChangeWindow(from, w.current(), w.ownOrigin()));
            }
        });
        return out;
    }

    /** The database the apply failed on, if it failed there. */
    String applyingTo() {
        return applyingTo;
    }

    /** Every database's apply session, for custom code. */
    private Map<String, java.sql.Connection> sessions() {
        Map<String, java.sql.Connection> out = new LinkedHashMap<>();
        plan.sources().forEach(d -> connections.target(plan, d).session().ifPresent(c -> out.put(d.name(), c)));
        plan.targets().stream().filter(m -> m.role() == Role.TARGET)
                .forEach(m -> connections.target(plan, m.db()).session().ifPresent(c -> out.put(m.db().name(), c)));
        return out;
    }

    private void saveAll(List<Database> everyone, Map<String, ChangeReader> sessions) throws SQLException {
        for (var s : sessions.entrySet()) {
            s.getValue().closeDurably();
            for (Database d : everyone) {
                if (!d.name().equals(s.getKey())) {
                    positions.save(plan.sync().name(), s.getKey(), d.name(), s.getValue().position());
                }
            }
        }
        repo.commit();
    }

    private static Map<String, Change> read(InputStream copy) throws IOException {
        Map<String, Change> out = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(copy, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                int tab = line.lastIndexOf('\t');
                String key = line.substring(0, tab);
                out.put(key, new Change(key, Long.parseLong(line.substring(tab + 1))));
            }
        }
        return out;
    }

    private static InputStream lines(Collection<String> keyLines) {
        StringBuilder b = new StringBuilder();
        for (String k : keyLines) {
            b.append(k).append('\n');
        }
        return new ByteArrayInputStream(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The abort strategy met a conflict: the sync stops, and says which keys. */
    static final class ConflictAbort extends IbexException {
        ConflictAbort(String table, List<String> keys) {
            super("conflict_strategy abort: " + keys.size() + " key(s) of " + table + " changed on several sources ("
                    + String.join("; ", keys.stream().limit(5).map(k -> k.replace('\t', ',')).toList())
                    + (keys.size() > 5 ? "; ..." : "") + "); the sync is deactivated: make the rows agree, then 'ibex activate "
                    + "SYNC'");
        }
    }

}
