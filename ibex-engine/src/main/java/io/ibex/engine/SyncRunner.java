package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.spi.ApplyException;
import io.ibex.spi.Target;
import io.ibex.spi.TargetRegistry;
import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.model.Relation;
import io.ibex.repository.Repository;
import io.ibex.model.Role;
import io.ibex.settings.Settings;
import io.ibex.spi.ChangeReader;
import io.ibex.spi.ChangeSources;
import io.ibex.spi.ChangeWindow;
import io.ibex.spi.Position;
import io.ibex.spi.PositionStore;
import io.ibex.spi.CustomCode.When;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs batches of one sync: for each target, the changes of the source since that target's position, applied
 * in one target transaction, after which the position moves on. A target that fails does not stop the others.
 * Keeps its connections open between runs; a connection that failed is dropped and opened again next time.
 */
public class SyncRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SyncRunner.class);
    static final String READER_APP = "ibex-reader";

    private final Repository repo;
    private final PositionStore positions;
    /** The daemon's current settings (slice_keys, copy_parallelism), read at each batch. */
    private final Supplier<Settings> settings;
    private final Map<String, Connection> sources = new HashMap<>();
    private final Map<String, Target> targets = new HashMap<>();
    /** The fenced lane session on each target, which the sync's worker sessions there join (read by their threads). */
    private final Map<String, Fence.Lane> lanes = new java.util.concurrent.ConcurrentHashMap<>();
    private CustomCodeChain hooks;
    private SyncPlan hooksOf;
    private List<io.ibex.model.CustomColumns> customColumns = List.of();
    private final Map<String, SyncPlan> lanePlans = new HashMap<>();
    /** The tables' shapes last applied, per target (see SchemaGate). */
    private final Map<String, io.ibex.model.TableInfo> shapes = new HashMap<>();
    /** The tables copied by onetimecopy whose first batch after the copy has not come yet, per target (see CopyShapes). */
    private final java.util.Set<String> copiedAt = new java.util.HashSet<>();

    private final Fence fence;

    public SyncRunner(Repository repo, Supplier<Settings> settings) {
        this(repo, settings, Fence.NONE);
    }

    /** fence: the daemon's lease on the sync, checked on each new target session and before each position write. */
    SyncRunner(Repository repo, Supplier<Settings> settings, Fence fence) {
        this.repo = repo;
        this.fence = fence;
        repo.positions().guardWrites(() -> fence.positions(repo));
        this.settings = settings;
        this.positions = new RepositoryPositions(repo);
    }

    /** Runs the sync for one lane: one target, or (lane null) every target. */
    public RunResult run(SyncPlan plan, long runId, String lane) {
        List<String> inactive = plan.inactiveDatabases(lane);
        if (!inactive.isEmpty()) {
            // the daemon stops such a lane at its next reload; until then it moves nothing, and its changes wait
            log.info("KID ({}) Skipped: database(s) {} inactive", plan.sync().name(), inactive);
            return new RunResult(0, 0, 0, List.of(), false);
        }
        if (plan.sources().size() > 1) {
            return runMultiSource(plan, runId);
        }
        String sync = plan.sync().name();
        long deletes = 0;
        long inserts = 0;
        long truncates = 0;
        boolean transientFailure = false;
        List<String> errors = new ArrayList<>();
        for (Database source : plan.sources()) {
            for (SyncPlan.Member member : plan.targets()) {
                if (lane != null && !lane.equals(member.db().name())) {
                    continue;
                }
                Database target = member.db();
                try {
                    boolean copying = plan.sync().onetimecopy() > 0 && !repo.positions().copied(sync, source.name(), target.name());
                    if ((copying || member.role() == Role.FULLCOPY) && settings.get().createTables()) {
                        TableCreator.createMissing(repo, plan, target, target(plan, target));
                    }
                    CustomCodeChain hooks = hooks(plan);
                    hooks.at(When.BEFORE_SYNC, target.name(), () -> LaneSessions.of(this, plan, lane, true), Map.of(), false);
                    syncSequences(plan, List.of(source), target);
                    BatchCounts b = hooks.retrying(target::name, () -> LaneSessions.of(this, plan, lane, true), () -> LaneSessions.rollback(this, plan, lane),
                            () -> member.role() == Role.FULLCOPY ? fullCopy(lane(plan, target), source, target, runId)
                            : copying ? copyBatch(lane(plan, target), source, target, runId)
                            : batch(lane(plan, target), source, target, runId));
                    hooks.at(When.AFTER_SYNC, target.name(), () -> LaneSessions.of(this, plan, lane, true), Map.of(), false);
                    deletes += b.deletes;
                    inserts += b.inserts;
                    truncates += b.truncates;
                } catch (Exception e) {
                    String msg = e instanceof IbexException ? e.getMessage() : "database \"" + target.name() + "\": " + Pg.firstLine(e);
                    errors.add(msg);
                    transientFailure |= e instanceof ApplyException ae && ae.isTransient();
                    log.warn("KID ({}) Failed: {}", sync, msg);
                    log.debug("KID ({}) failure detail", sync, e);
                    dropTarget(target.name());
                    if (!(e instanceof ApplyException)) {
                        dropSource(source.name());
                    }
                }
            }
        }
        if (errors.isEmpty() && plan.sync().onetimecopy() > 0) {
            finishOnetimecopy(plan);
        }
        if (errors.isEmpty() && (deletes > 0 || inserts > 0 || truncates > 0)) {
            log.info("KID ({}) Totals: deletes={} inserts={} conflicts=0", sync, deletes, inserts);
        }
        return new RunResult(deletes, inserts, truncates, errors, transientFailure);
    }

    /** Resets onetimecopy once every target of the sync has had its copy (each lane copies on its own). */
    private void finishOnetimecopy(SyncPlan plan) {
        String sync = plan.sync().name();
        if (repo.positions().allCopied(sync) && repo.requireSync(sync).onetimecopy() > 0) {
            repo.updateSync(sync, "onetimecopy", 0);
            repo.commit();
            log.info("KID ({}) Onetimecopy finished; onetimecopy reset to 0", sync);
        }
    }

    /** Whether the lane's databases answer again (a cheap check during a retry backoff). */
    boolean reachable(SyncPlan plan, String lane) {
        try {
            for (Database s : plan.sources()) {
                Pg.queryString(source(s), "SELECT 1");
                source(s).commit();
            }
            for (SyncPlan.Member m : plan.targets()) {
                if (lane == null || lane.equals(m.db().name())) {
                    target(plan, m.db());
                }
            }
            return true;
        } catch (RuntimeException | SQLException e) {
            close();
            return false;
        }
    }

    /** Brings the target's sequences up to the highest value among the given sources. */
    void syncSequences(SyncPlan plan, List<Database> fromSources, Database target) {
        if (plan.sequences().isEmpty()) {
            return;
        }
        try {
            Target tc = target(plan, target);
            for (Relation seq : plan.sequences()) {
                Map<String, SequenceSync.Value> values = new LinkedHashMap<>();
                for (Database s : fromSources) {
                    Connection sc = source(s); // a source's own value counts too: a sequence never goes backwards
                    values.put(s.name(), SequenceSync.read(ChangeSources.of(s), sc, seq));
                    sc.commit();
                }
                SequenceSync.apply(tc, target, seq, SequenceSync.highest(values), plan.sync().name());
            }
        } catch (SQLException e) {
            throw new IbexException("database \"" + target.name() + "\": cannot set sequences: " + Pg.firstLine(e), e);
        }
    }

    private RunResult runMultiSource(SyncPlan plan, long runId) {
        String sync = plan.sync().name();
        try {
            List<Database> everyone = new ArrayList<>(plan.sources());
            plan.targets().forEach(m -> everyone.add(m.db()));
            for (Database d : everyone) {
                syncSequences(plan, plan.sources(), d);
            }
            CustomCodeChain hooks = hooks(plan);
            hooks.at(When.BEFORE_SYNC, null, () -> LaneSessions.of(this, plan, null, false), Map.of(), false);
            MultiSourceRun[] attempt = new MultiSourceRun[1];
            RunResult r = hooks.retrying(() -> attempt[0] == null ? null : attempt[0].applyingTo(), () -> LaneSessions.of(this, plan, null, false),
                    () -> LaneSessions.rollback(this, plan, null), () -> (attempt[0] = new MultiSourceRun(repo, this, plan, runId, hooks)).run());
            long inserts = r.inserts();
            for (SyncPlan.Member m : plan.targets()) {
                if (m.role() == Role.FULLCOPY) {
                    inserts += fullCopy(plan, plan.sources().get(0), m.db(), runId).inserts;
                }
            }
            if (r.deletes() > 0 || inserts > 0) {
                log.info("KID ({}) Totals: deletes={} inserts={} conflicts={}", sync, r.deletes(), inserts, r.conflicts());
            }
            hooks.at(When.AFTER_SYNC, null, () -> LaneSessions.of(this, plan, null, false), Map.of(), false);
            return new RunResult(r.deletes(), inserts, r.truncates(), r.conflicts(), List.of(), false);
        } catch (MultiSourceRun.ConflictAbort e) {
            repo.rollback();
            String msg = e.getMessage().replace("SYNC", sync);
            log.warn("KID ({}) {}", sync, msg);
            return RunResult.aborted(msg);
        } catch (Exception e) {
            String msg = e instanceof IbexException ? e.getMessage() : Pg.firstLine(e);
            log.warn("KID ({}) Failed: {}", sync, msg);
            log.debug("KID ({}) failure detail", sync, e);
            close();
            return new RunResult(0, 0, 0, 0, List.of(msg), e instanceof ApplyException ae && ae.isTransient());
        }
    }

    /** What a batch did on one target. */
    private volatile boolean followUp;

    /** Whether the last run left changes it knows of for the next run (a resumed copy): the worker runs again at once. */
    boolean takeFollowUp() {
        boolean f = followUp;
        followUp = false;
        return f;
    }

    static final class BatchCounts {
        long deletes;
        long inserts;
        long truncates;
    }

    /** From this many change rows of one table in a window, it is applied in slices (see SliceApplier). */
    static final int SLICED_FROM = 20_000;

    /** What a batch does with one read of its source. */
    private interface Read<T> {
        T run(ChangeReader session) throws SQLException;
    }

    /** Runs the body in one read of the source (closed after it), through the source's capture. */
    private <T> T reading(Database source, Read<T> body) {
        try (ChangeReader session = ChangeSources.of(source).read(source(source))) {
            return body.run(session);
        } catch (SQLException e) {
            throw new IbexException("source database \"" + source.name() + "\": " + Pg.firstLine(e), e);
        }
    }

    private BatchCounts batch(SyncPlan plan, Database source, Database targetDb, long runId) {
        String sync = plan.sync().name();
        Position previous = position(sync, source, targetDb);
        BatchCounts counts = new BatchCounts();
        List<SyncPlan.Table> big = new ArrayList<>();
        ChangeWindow window = reading(source, session -> {
            ChangeWindow w = new ChangeWindow(previous, session.position(), plan.applicationName());
            SchemaGate gate = new SchemaGate(repo, plan, source, source(source), targetDb, target(plan, targetDb), shapes, copiedAt);
            if ((!w.isEmpty() || gate.pending()) && !plan.tables().isEmpty()) {
                SchemaGate.Outcome gated = gate.pass(session, w); // before any row is read: see "Schema changes" in design.md
                WindowApplier applier = new WindowApplier(plan, source, target(plan, targetDb), targetDb, hooks(plan));
                for (SchemaGate.Catchup c : gated.released()) { // a table held since c.since(): its changes from there
                    applier.apply(session, new ChangeWindow(c.since(), w.current(), w.ownOrigin()), List.of(c.table()), Long.MAX_VALUE, counts, true);
                }
                // slices commit apart, which a target checking its foreign keys cannot take in any order
                long threshold = foreignKeysFire(plan, targetDb) ? Long.MAX_VALUE : Math.min(SLICED_FROM, settings.get().sliceKeys());
                big.addAll(applier.apply(session, w, gated.apply(), threshold, counts));
            }
            return w;
        });
        try {
            for (SyncPlan.Table t : big) {
                applySlices(plan, source, targetDb, runId, window, t, counts);
            }
            // the target has everything up to this position; a crash before the repository commits this (with the
            // run's end, or now after a long backlog) re-applies the batch, harmlessly
            ChangeSources.of(source).makeDurable(source(source));
        } catch (SQLException e) {
            throw new IbexException("source database \"" + source.name() + "\": " + Pg.firstLine(e), e);
        }
        positions.save(sync, source.name(), targetDb.name(), window.current());
        if (!big.isEmpty()) {
            repo.commit();
        }
        return counts;
    }

    /** Whether the target checks the foreign keys among the sync's tables during an apply (replica_mode=none). */
    private boolean foreignKeysFire(SyncPlan plan, Database targetDb) {
        return target(plan, targetDb).foreignKeyOrder(plan.tables().stream().map(SyncPlan.Table::info).toList()).matters();
    }

    /** A big backlog of one table, applied in slices by several workers (see SliceApplier). */
    private void applySlices(SyncPlan plan, Database source, Database targetDb, long runId, ChangeWindow window, SyncPlan.Table t,
                             BatchCounts counts) throws SQLException {
        Settings now = settings.get();
        long[] r = new SliceApplier(repo, this, plan, source, targetDb).apply(runId, window, t.info(), now.sliceKeys(), writers(targetDb, now));
        counts.deletes += r[0];
        counts.inserts += r[1];
    }

    /**
     * onetimecopy: every table copied whole from one source snapshot, each table in its own target transaction so
     * progress shows; then the position becomes that snapshot, so the changes made during the copy follow with
     * no gap and no overlap. With onetimecopy=2, a target table that has rows is not copied; it gets the changes
     * of the same window instead.
     */
    private BatchCounts copyBatch(SyncPlan plan, Database source, Database targetDb, long runId) {
        String sync = plan.sync().name();
        Position previous = position(sync, source, targetDb);
        return reading(source, session -> {
            BatchCounts counts = new BatchCounts();
            Target target = target(plan, targetDb);
            // resumable: a copy cut short (daemon killed, target lost) goes on from what it had not done
            try (CopyLedger ledger = new CopyLedger(repo, sync, targetDb.name(), session.position().text())) {
                List<SyncPlan.Table> notCopied = new ArrayList<>();
                List<SyncPlan.Table> toCopy = new ArrayList<>();
                for (SyncPlan.Table t : plan.tables()) {
                    if (plan.sync().onetimecopy() == 2 && !ledger.knows(t.info().qualifiedName()) && target.hasRows(t.info())) {
                        log.info("KID ({}) Onetimecopy skips {} on {}: the target table has rows", sync, t.info().qualifiedName(), targetDb.name());
                        notCopied.add(t);
                    } else {
                        toCopy.add(t);
                    }
                }
                if (ledger.resumed()) {
                    log.info("KID ({}) Resuming the copy to {} begun at {}", sync, targetDb.name(), ledger.start());
                }
                // the columns of the copy's snapshot, not the plan's (see CopyShapes)
                toCopy = CopyShapes.at(session, sync, targetDb, target, toCopy, shapes, copiedAt, true);
                notCopied = CopyShapes.at(session, sync, targetDb, target, notCopied, shapes, copiedAt, false);
                Settings now = settings.get();
                repo.runs().runState(runId, "Copying " + toCopy.size() + " table(s) to " + targetDb.name());
                repo.commit();
                counts.inserts += new TableCopier(repo, this, plan, source, targetDb, writers(targetDb, now), ledger, now.copySplitRows())
                        .copy(session, toCopy);
                TableCreator.finishPending(repo, plan, targetDb, target, () -> workerTarget(plan, targetDb), writers(targetDb, now));
                ChangeWindow window = new ChangeWindow(previous, session.position(), plan.applicationName());
                if (!notCopied.isEmpty() && !window.isEmpty()) {
                    new WindowApplier(plan, source, target, targetDb, hooks(plan)).apply(session, window, notCopied, Long.MAX_VALUE, counts);
                }
                session.closeDurably();
                // the changes follow from the copy's first snapshot: those a resumed copy read later come again, harmlessly
                positions.save(sync, source.name(), targetDb.name(), ChangeSources.of(source).position(ledger.start()));
                if (!ledger.start().equals(session.position().text())) {
                    followUp = true; // the changes since the first snapshot are owed now, even if the source stays idle
                }
                CopyLedger.finish(repo, sync, targetDb.name());
                repo.positions().markCopied(sync, source.name(), targetDb.name());
                repo.commit();
            }
            return counts;
        });
    }

    /** The fullcopy role: every table emptied and copied whole, from one source snapshot, on every run. */
    private BatchCounts fullCopy(SyncPlan plan, Database source, Database targetDb, long runId) {
        return reading(source, session -> {
            BatchCounts counts = new BatchCounts();
            counts.inserts = copyTables(plan, source, targetDb, runId, session, plan.tables());
            TableCreator.finishPending(repo, plan, targetDb, target(plan, targetDb), () -> workerTarget(plan, targetDb),
                    writers(targetDb, settings.get()));
            return counts;
        });
    }

    long copyTables(SyncPlan plan, Database source, Database targetDb, long runId, ChangeReader session, List<SyncPlan.Table> tables)
            throws SQLException {
        repo.runs().runState(runId, "Copying " + tables.size() + " table(s) to " + targetDb.name());
        repo.commit();
        return new TableCopier(repo, this, plan, source, targetDb, writers(targetDb, settings.get())).copy(session, tables);
    }

    /** Workers that may write into the target at once: copy_parallelism, or fewer where its kind allows fewer (SQLite). */
    private static int writers(Database targetDb, Settings now) {
        return Math.min(now.copyParallelism(), TargetRegistry.installed().require(targetDb).writersAtOnce());
    }

    private Position position(String sync, Database source, Database targetDb) {
        return positions.position(sync, source.name(), targetDb.name()).orElseThrow(() -> new IbexException(
                "sync \"" + sync + "\" has no starting position for " + source.name() + " to " + targetDb.name()
                        + ": run 'ibex validate " + sync + "'"));
    }

    Connection source(Database db) {
        Connection c = sources.get(db.name());
        if (c == null) {
            c = openSource(db);
            sources.put(db.name(), c);
        }
        return c;
    }

    /** A new reader session on a source, ready for its capture's reads (the lane's own, or a parallel worker's). */
    static Connection openSource(Database db) {
        Connection c = db.connection().openOrFail(READER_APP, "source database \"" + db.name() + "\"");
        try {
            Pg.useStableTextFormat(c);
            c.setAutoCommit(false);
            return c;
        } catch (SQLException e) {
            Pg.closeQuietly(c);
            throw new IbexException("source database \"" + db.name() + "\": " + Pg.firstLine(e), e);
        }
    }

    Target target(SyncPlan plan, Database db) {
        Target t = targets.get(db.name());
        if (t == null) {
            t = Targets.open(plan, db);
            targets.put(db.name(), t);
            Target opened = t;
            try {
                Fence.Lane lane = t.session().map(c -> fence.targetSession(c, repo)).orElse(null);
                if (lane != null) {
                    lanes.put(db.name(), lane);
                }
                fence.otherEngine(t); // nothing on PostgreSQL, fenced above
            } catch (RuntimeException e) {
                targets.remove(db.name());
                opened.close();
                throw e;
            }
        }
        return t;
    }

    /**
     * One more session on the sync's target, for a parallel worker (copy, sliced apply, index build): it joins the
     * fence of the lane's session, which the caller has opened first.
     */
    Target workerTarget(SyncPlan plan, Database db) {
        Target t = Targets.open(plan, db);
        try {
            t.session().ifPresent(c -> fence.join(c, lanes.get(db.name())));
            fence.otherEngine(t); // nothing on PostgreSQL, joined above
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    void dropTarget(String name) {
        lanes.remove(name);
        Target t = targets.remove(name);
        if (t != null) {
            t.close();
        }
    }

    private void dropSource(String name) {
        Pg.closeQuietly(sources.remove(name));
    }

    /** The sync's custom code and custom columns, loaded again whenever the plan is new (a reload replans). */
    CustomCodeChain hooks(SyncPlan plan) {
        if (hooksOf != plan && lanePlans.values().stream().noneMatch(p -> p == plan)) { // by identity: a replan is equal
            hooks = CustomCodeChain.load(repo, plan);
            customColumns = repo.customColumns().list();
            lanePlans.clear();
            hooksOf = plan;
        }
        return hooks;
    }

    /** The plan's tables as the target receives them (custom columns); the same object for the same plan. */
    private SyncPlan lane(SyncPlan plan, Database target) {
        hooks(plan);
        return lanePlans.computeIfAbsent(target.name(), n -> TargetTables.forTarget(plan, customColumns, n));
    }

    @Override
    public void close() {
        targets.values().forEach(Target::close);
        targets.clear();
        lanes.clear();
        sources.values().forEach(Pg::closeQuietly);
        sources.clear();
    }
}
