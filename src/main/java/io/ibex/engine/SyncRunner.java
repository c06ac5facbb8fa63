package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.spi.ApplyException;
import io.ibex.spi.Target;
import io.ibex.capture.ChangeWindow;
import io.ibex.capture.Snapshot;
import io.ibex.capture.SourceSession;
import io.ibex.db.Pg;
import io.ibex.repository.Database;
import io.ibex.repository.Repository;
import io.ibex.repository.Role;
import io.ibex.settings.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
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
    /** The daemon's current settings (slice_keys, copy_parallelism), read at each batch. */
    private final Supplier<Settings> settings;
    private final Map<String, Connection> sources = new HashMap<>();
    private final Map<String, Target> targets = new HashMap<>();

    public SyncRunner(Repository repo, Supplier<Settings> settings) {
        this.repo = repo;
        this.settings = settings;
    }

    /** Runs the sync for one lane: one target, or (lane null) every target. */
    public RunResult run(SyncPlan plan, long runId, String lane) {
        List<String> inactive = inactiveDatabases(plan, lane);
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
                    syncSequences(plan, List.of(source), target);
                    BatchCounts b = member.role() == Role.FULLCOPY ? fullCopy(plan, source, target, runId)
                            : plan.sync().onetimecopy() > 0 && !repo.copied(sync, source.name(), target.name())
                            ? copyBatch(plan, source, target, runId)
                            : batch(plan, source, target, runId);
                    deletes += b.deletes;
                    inserts += b.inserts;
                    truncates += b.truncates;
                } catch (RuntimeException e) {
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

    /** The inactive databases among the lane's: its sources, and its target (every database for lane null). */
    private static List<String> inactiveDatabases(SyncPlan plan, String lane) {
        List<String> out = new ArrayList<>();
        plan.sources().stream().filter(d -> !d.active()).forEach(d -> out.add(d.name()));
        plan.targets().stream().map(SyncPlan.Member::db).filter(d -> !d.active() && (lane == null || lane.equals(d.name())))
                .forEach(d -> out.add(d.name()));
        return out;
    }

    /** Resets onetimecopy once every target of the sync has had its copy (each lane copies on its own). */
    private void finishOnetimecopy(SyncPlan plan) {
        String sync = plan.sync().name();
        if (repo.allCopied(sync) && repo.requireSync(sync).onetimecopy() > 0) {
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
            for (io.ibex.repository.Relation seq : plan.sequences()) {
                Map<String, SequenceSync.Value> values = new java.util.LinkedHashMap<>();
                for (Database s : fromSources) {
                    Connection sc = source(s); // a source's own value counts too: a sequence never goes backwards
                    values.put(s.name(), SequenceSync.read(sc, seq));
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
            RunResult r = new MultiSourceRun(repo, this, plan, runId).run();
            long inserts = r.inserts();
            for (SyncPlan.Member m : plan.targets()) {
                if (m.role() == Role.FULLCOPY) {
                    inserts += fullCopy(plan, plan.sources().get(0), m.db(), runId).inserts;
                }
            }
            if (r.deletes() > 0 || inserts > 0) {
                log.info("KID ({}) Totals: deletes={} inserts={} conflicts={}", sync, r.deletes(), inserts, r.conflicts());
            }
            return new RunResult(r.deletes(), inserts, r.truncates(), r.conflicts(), List.of(), false);
        } catch (MultiSourceRun.ConflictAbort e) {
            repo.rollback();
            repo.updateSync(sync, "status", "inactive");
            repo.commit();
            String msg = e.getMessage().replace("SYNC", sync);
            log.warn("KID ({}) {}", sync, msg);
            return new RunResult(0, 0, 0, 0, List.of(msg), false);
        } catch (RuntimeException | SQLException | java.io.IOException e) {
            String msg = e instanceof IbexException ? e.getMessage() : Pg.firstLine(e);
            log.warn("KID ({}) Failed: {}", sync, msg);
            log.debug("KID ({}) failure detail", sync, e);
            close();
            return new RunResult(0, 0, 0, 0, List.of(msg), e instanceof ApplyException ae && ae.isTransient());
        }
    }

    private static final class BatchCounts {
        long deletes;
        long inserts;
        long truncates;
    }

    /** From this many change rows of one table in a window, it is applied in slices (see SliceApplier). */
    static final int SLICED_FROM = 20_000;

    private BatchCounts batch(SyncPlan plan, Database source, Database targetDb, long runId) {
        String sync = plan.sync().name();
        Snapshot previous = position(sync, source, targetDb);
        Connection src = source(source);
        try {
            ChangeWindow window;
            BatchCounts counts = new BatchCounts();
            List<SyncPlan.Table> big = new ArrayList<>();
            try (Spools spools = new Spools()) {
                Changes changes = null;
                boolean applied = false;
                try (SourceSession session = SourceSession.begin(src)) {
                    window = new ChangeWindow(previous, session.snapshot(), plan.applicationName());
                    if (!window.isEmpty() && !plan.tables().isEmpty()) {
                        // slices commit apart, which a target checking its foreign keys cannot take in any order
                        boolean oneTransaction = foreignKeysFire(plan, targetDb);
                        long threshold = oneTransaction ? Long.MAX_VALUE : Math.min(SLICED_FROM, settings.get().sliceKeys());
                        java.util.Map<io.ibex.capture.TableInfo, Long> changeRows = session.changeCounts(
                                plan.tables().stream().map(SyncPlan.Table::info).toList(), window, oneTransaction ? 1 : threshold + 1);
                        List<SyncPlan.Table> small = new ArrayList<>();
                        for (SyncPlan.Table t : plan.tables()) {
                            Long n = changeRows.get(t.info());
                            if (n != null) {
                                (n > threshold ? big : small).add(t);
                            }
                        }
                        changes = readChanges(session, window, plan.tables(), small, spools);
                        if (changes != null && changes.live()) {
                            applyChanges(plan, source, targetDb, runId, changes, counts); // rows too big to keep: streamed
                            applied = true;
                        }
                    }
                } // else the source's snapshot is let go before the target starts
                if (changes != null && !applied) {
                    applyChanges(plan, source, targetDb, runId, changes, counts);
                }
            } catch (java.io.IOException e) {
                throw spoolFailure(source, e);
            }
            for (SyncPlan.Table t : big) {
                applySlices(plan, source, targetDb, runId, window, t, counts);
            }
            // the target has everything up to this snapshot; a crash before the repository commits this (with the
            // run's end, or now after a long backlog) re-applies the batch, harmlessly
            SourceSession.makeDurable(src);
            repo.savePosition(sync, source.name(), targetDb.name(), window.current().text());
            if (!big.isEmpty()) {
                repo.commit();
            }
            return counts;
        } catch (SQLException e) {
            throw new IbexException("source database \"" + source.name() + "\": " + Pg.firstLine(e), e);
        }
    }

    /** Whether the target checks the foreign keys among the sync's tables during an apply (replica_mode=none). */
    private boolean foreignKeysFire(SyncPlan plan, Database targetDb) {
        return target(plan, targetDb).foreignKeyOrder(plan.tables().stream().map(SyncPlan.Table::info).toList()).matters();
    }

    /** A big backlog of one table, applied in slices by several workers (see SliceApplier). */
    private void applySlices(SyncPlan plan, Database source, Database targetDb, long runId, ChangeWindow window, SyncPlan.Table t,
                             BatchCounts counts) throws SQLException {
        Settings now = settings.get();
        long[] r = new SliceApplier(repo, this, plan, source, targetDb).apply(runId, window, t.info(), now.sliceKeys(), now.copyParallelism());
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
        Snapshot previous = position(sync, source, targetDb);
        Connection src = source(source);
        try (SourceSession session = SourceSession.begin(src)) {
            BatchCounts counts = new BatchCounts();
            Target target = target(plan, targetDb);
            List<SyncPlan.Table> notCopied = new ArrayList<>();
            List<SyncPlan.Table> toCopy = new ArrayList<>();
            for (SyncPlan.Table t : plan.tables()) {
                if (plan.sync().onetimecopy() == 2 && target.hasRows(t.info())) {
                    log.info("KID ({}) Onetimecopy skips {} on {}: the target table has rows", sync, t.info().qualifiedName(), targetDb.name());
                    notCopied.add(t);
                } else {
                    toCopy.add(t);
                }
            }
            counts.inserts += copyTables(plan, source, targetDb, runId, session, toCopy);
            ChangeWindow window = new ChangeWindow(previous, session.snapshot(), plan.applicationName());
            if (!notCopied.isEmpty() && !window.isEmpty()) {
                applyChanges(plan, source, targetDb, runId, session, window, notCopied, counts);
            }
            session.closeDurably();
            repo.savePosition(sync, source.name(), targetDb.name(), session.snapshot().text());
            repo.markCopied(sync, source.name(), targetDb.name());
            repo.commit();
            return counts;
        } catch (SQLException e) {
            throw new IbexException("source database \"" + source.name() + "\": " + Pg.firstLine(e), e);
        }
    }

    /** The fullcopy role: every table emptied and copied whole, from one source snapshot, on every run. */
    private BatchCounts fullCopy(SyncPlan plan, Database source, Database targetDb, long runId) {
        Connection src = source(source);
        try (SourceSession session = SourceSession.begin(src)) {
            BatchCounts counts = new BatchCounts();
            counts.inserts = copyTables(plan, source, targetDb, runId, session, plan.tables());
            return counts;
        } catch (SQLException e) {
            throw new IbexException("source database \"" + source.name() + "\": " + Pg.firstLine(e), e);
        }
    }

    long copyTables(SyncPlan plan, Database source, Database targetDb, long runId, SourceSession session, List<SyncPlan.Table> tables)
            throws SQLException {
        repo.runState(runId, "Copying " + tables.size() + " table(s) to " + targetDb.name());
        repo.commit();
        return new TableCopier(repo, this, plan, source, targetDb, settings.get().copyParallelism()).copy(session, tables);
    }

    private Snapshot position(String sync, Database source, Database targetDb) {
        return new Snapshot(repo.position(sync, source.name(), targetDb.name()).orElseThrow(() -> new IbexException(
                "sync \"" + sync + "\" has no starting position for " + source.name() + " to " + targetDb.name()
                        + ": run 'ibex validate " + sync + "'")));
    }

    /** Deletes the changed keys and copies their current rows, for every table with changes, in one target transaction. */
    private void applyChanges(SyncPlan plan, Database source, Database targetDb, long runId, SourceSession session,
                              ChangeWindow window, List<SyncPlan.Table> tables, BatchCounts counts) throws SQLException {
        try (Spools spools = new Spools()) {
            java.util.Set<io.ibex.capture.TableInfo> withChanges = session.changeCounts(tables.stream().map(SyncPlan.Table::info).toList(),
                    window, 1).keySet();
            Changes changes = readChanges(session, window, tables, tables.stream().filter(t -> withChanges.contains(t.info())).toList(), spools);
            if (changes != null) {
                applyChanges(plan, source, targetDb, runId, changes, counts);
            }
        } catch (java.io.IOException e) {
            throw spoolFailure(source, e);
        }
    }

    private static IbexException spoolFailure(Database source, java.io.IOException e) {
        return new IbexException("cannot keep the changes read from \"" + source.name() + "\" in a temporary file: " + e.getMessage(), e);
    }

    /**
     * What a batch read from the source: the tables to truncate and the changed tables with their keys and current
     * rows. live: some rows were too big to keep and are still being read, with the tables after them (the
     * source's transaction must stay open until they are applied).
     */
    private record Changes(List<SyncPlan.Table> truncated, List<TableChanges> changed, boolean live) {
    }

    private record TableChanges(SyncPlan.Table table, Spools.Spool keys, Spools.Spool rows) {
    }

    /**
     * Reads a window's truncates and changes; null if there are none. tables: the tables whose truncates to read;
     * changed: those whose changes to read now (a big backlog's are read afterwards, in slices).
     */
    private Changes readChanges(SourceSession session, ChangeWindow window, List<SyncPlan.Table> tables, List<SyncPlan.Table> changed,
                                Spools spools) throws SQLException, java.io.IOException {
        if (tables.isEmpty()) {
            return null; // a sequence-only sync captures nothing
        }
        List<SyncPlan.Table> truncated = new ArrayList<>();
        java.util.Set<String> truncatedNames = session.truncatedTables(window);
        for (SyncPlan.Table t : tables) {
            if (truncatedNames.contains(t.info().qualifiedName())) {
                truncated.add(t);
            }
        }
        if (changed.isEmpty() && truncated.isEmpty()) {
            return null;
        }
        List<TableChanges> read = new ArrayList<>();
        boolean live = false;
        for (SyncPlan.Table t : changed) {
            // while a live stream occupies the source, what follows it is read when its turn comes
            Spools.Spool keys = live ? () -> session.keys(t.info(), window) : spools.read(session.keys(t.info(), window));
            live |= keys.live();
            Spools.Spool rows = live ? () -> session.rows(t.info(), window) : spools.read(session.rows(t.info(), window));
            if (rows.live()) {
                live = true;
                log.info("KID Rows of {} exceed what a batch keeps ({} MB): streamed, the source's read open until they are applied",
                        t.info().qualifiedName(), Spools.TOTAL_BUDGET >> 20);
            }
            read.add(new TableChanges(t, keys, rows));
        }
        return new Changes(truncated, read, live);
    }

    /** Applies what a batch read, in one target transaction. */
    private void applyChanges(SyncPlan plan, Database source, Database targetDb, long runId, Changes changes, BatchCounts counts)
            throws java.io.IOException, SQLException {
        String sync = plan.sync().name();
        Target target = target(plan, targetDb);
        List<io.ibex.capture.TableInfo> tables = new ArrayList<>();
        changes.truncated().forEach(t -> tables.add(t.info()));
        changes.changed().forEach(c -> tables.add(c.table().info()));
        io.ibex.spi.ForeignKeyOrder order = target.foreignKeyOrder(tables.stream().distinct().toList());
        target.begin();
        for (SyncPlan.Table t : order.childrenFirst(changes.truncated(), SyncPlan.Table::info)) {
            target.truncate(t.info());
            counts.truncates++;
            log.info("KID ({}) Truncated {}.{} on {}", sync, source.name(), t.info().qualifiedName(), targetDb.name());
        }
        List<Target.Change> replace = new ArrayList<>();
        changes.changed().forEach(c -> replace.add(new Target.Change(c.table().info(), c.keys()::open, c.rows()::open)));
        List<long[]> counted = target.replaceAll(replace);
        for (int i = 0; i < counted.size(); i++) {
            SyncPlan.Table t = changes.changed().get(i).table();
            long[] r = counted.get(i);
            long deleted = r[0];
            long inserted = r[1];
            counts.deletes += deleted;
            counts.inserts += inserted;
            log.info("KID ({}) Delta count for {}.{} : {} (deleted {}, inserted {} on {})", sync, source.name(),
                    t.info().qualifiedName(), Math.max(deleted, inserted), deleted, inserted, targetDb.name());
        }
        target.commit();
    }

    Connection source(Database db) {
        Connection c = sources.get(db.name());
        if (c == null) {
            c = openSource(db);
            sources.put(db.name(), c);
        }
        return c;
    }

    /** A new reader session on a source, ready for SourceSession (the lane's own, or a parallel worker's). */
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
            t = Targets.open(db, plan.applicationName());
            targets.put(db.name(), t);
        }
        return t;
    }

    void dropTarget(String name) {
        Target t = targets.remove(name);
        if (t != null) {
            t.close();
        }
    }

    private void dropSource(String name) {
        Pg.closeQuietly(sources.remove(name));
    }

    @Override
    public void close() {
        targets.values().forEach(Target::close);
        targets.clear();
        sources.values().forEach(Pg::closeQuietly);
        sources.clear();
    }
}
