package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.apply.ApplyException;
import io.ibex.apply.Target;
import io.ibex.capture.ChangeWindow;
import io.ibex.capture.Snapshot;
import io.ibex.capture.SourceSession;
import io.ibex.db.Pg;
import io.ibex.repository.Database;
import io.ibex.repository.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs batches of one sync: for each target, the changes of the source since that target's position, applied
 * in one target transaction, after which the position moves on. A target that fails does not stop the others.
 * Keeps its connections open between runs; a connection that failed is dropped and opened again next time.
 */
public class SyncRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SyncRunner.class);
    static final String READER_APP = "ibex-reader";

    private final Repository repo;
    private final Map<String, Connection> sources = new HashMap<>();
    private final Map<String, Target> targets = new HashMap<>();

    public SyncRunner(Repository repo) {
        this.repo = repo;
    }

    public RunResult run(SyncPlan plan, long runId) {
        String sync = plan.sync().name();
        long deletes = 0;
        long inserts = 0;
        long truncates = 0;
        boolean transientFailure = false;
        List<String> errors = new ArrayList<>();
        for (Database source : plan.sources()) {
            for (SyncPlan.Member member : plan.targets()) {
                Database target = member.db();
                try {
                    BatchCounts b = batch(plan, source, target, runId);
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
        if (errors.isEmpty() && (deletes > 0 || inserts > 0 || truncates > 0)) {
            log.info("KID ({}) Totals: deletes={} inserts={} conflicts=0", sync, deletes, inserts);
        }
        return new RunResult(deletes, inserts, truncates, errors, transientFailure);
    }

    private static final class BatchCounts {
        long deletes;
        long inserts;
        long truncates;
    }

    private BatchCounts batch(SyncPlan plan, Database source, Database targetDb, long runId) {
        String sync = plan.sync().name();
        BatchCounts counts = new BatchCounts();
        Snapshot previous = new Snapshot(repo.position(sync, source.name(), targetDb.name()).orElseThrow(() -> new IbexException(
                "sync \"" + sync + "\" has no starting position for " + source.name() + " to " + targetDb.name()
                        + ": run 'ibex validate " + sync + "'")));
        Connection src = source(source);
        try (SourceSession session = SourceSession.begin(src)) {
            ChangeWindow window = new ChangeWindow(previous, session.snapshot(), plan.applicationName());
            if (window.isEmpty()) {
                return counts;
            }
            List<SyncPlan.Table> changed = new ArrayList<>();
            List<SyncPlan.Table> truncated = new ArrayList<>();
            for (SyncPlan.Table t : plan.tables()) {
                if (session.truncatedIn(t.info(), window)) {
                    truncated.add(t);
                }
                if (session.hasChanges(t.info(), window)) {
                    changed.add(t);
                }
            }
            if (!changed.isEmpty() || !truncated.isEmpty()) {
                repo.runState(runId, "Applying to " + targetDb.name());
                repo.commit();
                Target target = target(plan, targetDb);
                target.begin();
                for (SyncPlan.Table t : truncated) {
                    target.truncate(t.info());
                    counts.truncates++;
                    log.info("KID ({}) Truncated {}.{} on {}", sync, source.name(), t.info().qualifiedName(), targetDb.name());
                }
                for (SyncPlan.Table t : changed) {
                    long deleted = target.deleteKeys(t.info(), session.keys(t.info(), window));
                    long inserted = target.insertRows(t.info(), session.rows(t.info(), window));
                    counts.deletes += deleted;
                    counts.inserts += inserted;
                    log.info("KID ({}) Delta count for {}.{} : {} (deleted {}, inserted {} on {})", sync, source.name(),
                            t.info().qualifiedName(), Math.max(deleted, inserted), deleted, inserted, targetDb.name());
                }
                target.commit();
            }
            // the target has everything up to this snapshot; a crash before this line re-applies the batch, harmlessly
            repo.savePosition(sync, source.name(), targetDb.name(), window.current().text());
            repo.commit();
            return counts;
        } catch (SQLException e) {
            throw new IbexException("source database \"" + source.name() + "\": " + Pg.firstLine(e), e);
        }
    }

    private Connection source(Database db) {
        Connection c = sources.get(db.name());
        if (c == null) {
            c = db.connection().openOrFail(READER_APP, "source database \"" + db.name() + "\"");
            try {
                Pg.useStableTextFormat(c);
            } catch (SQLException e) {
                Pg.closeQuietly(c);
                throw new IbexException("source database \"" + db.name() + "\": " + Pg.firstLine(e), e);
            }
            sources.put(db.name(), c);
        }
        return c;
    }

    private Target target(SyncPlan plan, Database db) {
        Target t = targets.get(db.name());
        if (t == null) {
            t = Targets.open(db, plan.applicationName());
            targets.put(db.name(), t);
        }
        return t;
    }

    private void dropTarget(String name) {
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
