package io.ibex.engine;

import io.ibex.db.ConnectionSpec;
import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.repository.Repository;
import io.ibex.model.Sync;
import io.ibex.settings.Settings;
import io.ibex.spi.MetricsSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The thread that runs one sync: it waits for a kick, its checktime, or the end of a retry backoff, then runs.
 * A failed run turns the sync Bad and is retried with a growing pause (1 s doubling up to 60 s) until it
 * succeeds, so a target that comes back makes the sync Good again with no restart. A kick from the command
 * line skips the pause.
 */
final class SyncWorker implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(SyncWorker.class);
    /*
     * The pause after a run before an autokick starts the next is at least Settings#gatherMs: commits that arrive
     * meanwhile are gathered into one batch, which costs the source and the target far less than a batch per commit
     * when the rate is high.
     *
     * After a busy run (one whose rows, deleted and inserted, came at BUSY_ROWS_PER_SECOND a second or more since
     * the run before it began) the pause grows to REST_FACTOR times the run's time, up to Settings#gatherMaxMs: a
     * busy source's changes then come in fewer, bigger batches, and the daemon takes about a ninth of the machine it
     * would take running batch after batch (the fixed cost of a batch, its round trips and plans on three servers,
     * is most of what a batch costs). A slower rate keeps the pause at gatherMs, so it keeps its low lag. The rate,
     * not the batch's size, decides: a longer pause makes the next batch bigger, not the source busier.
     */
    static final int REST_FACTOR = 8;
    static final long BUSY_ROWS_PER_SECOND = 2_000;

    private final String syncName;
    private final String lane;
    private final ConnectionSpec repositorySpec;
    private final Thread thread;
    private volatile boolean stopping;
    private boolean kicked;
    private final List<Long> tickets = new ArrayList<>();
    private boolean manualKick;
    private boolean replan = true;
    private long retryAt;
    private int failures;
    private long lastRunMs;
    private long lastRunRows;
    /** From the start of the run before the last one to the start of the last one: the time its changes came in. */
    private long lastCycleMs;
    private long lastRunStarted;
    private volatile Sync sync;

    /** Told each time this worker takes its kick, i.e. a run begins (see SourceWatcher#kickTaken). */
    private final Runnable kickTaken;
    /** The daemon's current settings: a reload changes them under a running worker. */
    private final Supplier<Settings> settings;
    private final MetricsSink metrics;
    private final Fence fence;
    private final BooleanSupplier leaseHeld;

    /** The lease epoch this worker runs under (0 outside a daemon). */
    long epoch() {
        return fence.epoch();
    }

    /** lane: the one target this worker serves, or null for every database of the sync. */
    SyncWorker(Sync sync, String lane, ConnectionSpec repositorySpec, Runnable kickTaken, Supplier<Settings> settings,
               MetricsSink metrics) {
        this(sync, lane, repositorySpec, kickTaken, settings, metrics, Fence.NONE, () -> true);
    }

    /** fence and leaseHeld: the daemon's lease on the sync; no run begins while leaseHeld says no. */
    SyncWorker(Sync sync, String lane, ConnectionSpec repositorySpec, Runnable kickTaken, Supplier<Settings> settings,
               MetricsSink metrics, Fence fence, BooleanSupplier leaseHeld) {
        this.fence = fence;
        this.leaseHeld = leaseHeld;
        this.sync = sync;
        this.metrics = metrics;
        this.kickTaken = kickTaken;
        this.settings = settings;
        this.syncName = sync.name();
        this.lane = lane;
        this.repositorySpec = repositorySpec;
        this.thread = new Thread(this, "sync-" + syncName + (lane == null ? "" : "-" + lane));
    }

    String name() {
        return syncName;
    }

    String lane() {
        return lane;
    }

    Sync sync() {
        return sync;
    }

    void start(boolean kickNow) {
        kicked = kickNow;
        thread.start();
    }

    synchronized void kick(boolean manual) {
        kick(manual, 0);
    }

    /** ticket: the kick's ticket (0: none), recorded by the next run to begin, which answers it. */
    synchronized void kick(boolean manual, long ticket) {
        kicked = true;
        manualKick |= manual;
        if (ticket != 0) {
            tickets.add(ticket);
        }
        notifyAll();
    }

    private synchronized void giveBack(List<Long> taken) {
        tickets.addAll(0, taken);
    }

    /** The tickets of the kicks a run that begins now answers; they are its own from here. */
    private synchronized List<Long> takeTickets() {
        List<Long> taken = List.copyOf(tickets);
        tickets.clear();
        return taken;
    }

    /** Whether a kick waits for a run that has not begun (a run clears it before it reads the source). */
    synchronized boolean kickPending() {
        return kicked;
    }

    /** Picks up changed options or tables before the next run. */
    synchronized void reload(Sync changed) {
        this.sync = changed;
        replan = true;
        notifyAll();
    }

    void stop() {
        stopping = true;
        synchronized (this) {
            notifyAll();
        }
    }

    void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    private SyncRunner runner;
    private SyncPlan plan;

    @Override
    public void run() {
        Repository repo = null;
        while (!stopping) {
            Work work = waitForWork();
            if (work == Work.STOP) {
                break;
            }
            if (work == Work.RUN) {
                kickTaken.run();
            }
            if (work == Work.PROBE) {
                // in backoff with changes waiting: run early if what failed answers again
                boolean back;
                if (runner == null || plan == null) {
                    back = repositoryAnswers(); // the repository (or the plan) failed: run as soon as it answers
                } else {
                    back = runner.reachable(plan, lane);
                }
                if (!back) {
                    continue;
                }
                synchronized (this) {
                    kicked = false;
                }
                kickTaken.run();
            }
            if (!leaseHeld.getAsBoolean()) {
                synchronized (this) { // the daemon stops this worker unless the lease is renewed meanwhile
                    kicked = true;
                    retryAt = System.currentTimeMillis() + 500;
                    failures = Math.max(failures, 1);
                }
                continue;
            }
            long runId = -1;
            List<Long> answers = takeTickets();
            try {
                if (repo == null) {
                    repo = Repository.open(repositorySpec, "ibex-daemon");
                    runner = new SyncRunner(repo, settings, fence);
                }
                runId = repo.runs().startRun(syncName, lane, "Started", answers);
                repo.commit();
                if (runId == 0) {
                    giveBack(answers); // deactivated since the daemon read it: its reload stops this worker
                    continue;
                }
                SyncPlan before = plan;
                synchronized (this) {
                    if (replan) {
                        plan = null;
                        replan = false;
                    }
                }
                if (plan == null) {
                    repo.runs().runState(runId, "Validating");
                    repo.commit();
                    plan = SyncPlanner.plan(repo, sync);
                    if (before != null && !databases(before).equals(databases(plan))) {
                        log.info("KID ({}) A database's settings changed: reconnecting", syncName);
                        runner.close(); // update db: the connections open again, to where the database is now
                    }
                }
                long started = System.nanoTime();
                lastCycleMs = lastRunStarted == 0 ? Long.MAX_VALUE : (started - lastRunStarted) / 1_000_000;
                lastRunStarted = started;
                RunResult result = runner.run(plan, runId, lane);
                lastRunMs = (System.nanoTime() - started) / 1_000_000;
                lastRunRows = result.deletes() + result.inserts();
                String error = result.failed() ? String.join("; ", result.errors()) : null;
                repo.runs().finishRun(runId, result.outcome(), result.deletes(), result.inserts(), result.conflicts(), result.truncates(), error);
                if (result.deactivate()) { // with the run's outcome: an inactive sync never shows its last run unfinished
                    repo.updateSync(syncName, "status", "inactive");
                    repo.notify(Daemon.CONTROL_CHANNEL, "reload"); // the daemon stops this worker, as after 'ibex deactivate'
                }
                repo.commit();
                metrics.runEnded(syncName, lane, result.outcome(), lastRunMs / 1000.0, result.deletes(), result.inserts(),
                        result.conflicts(), sync.conflictStrategy());
                if (result.failed()) {
                    failed(result.transientFailure());
                } else {
                    failures = 0;
                    if (runner.takeFollowUp()) {
                        kick(false, 0);
                    }
                }
            } catch (RuntimeException e) {
                if (runId <= 0) {
                    giveBack(answers); // no run recorded them: the next one answers these kicks
                }
                String msg = Pg.firstLine(e);
                log.warn("KID ({}) Failed: {}", syncName, msg);
                log.debug("KID ({}) failure detail", syncName, e);
                plan = null;
                if (runner != null) {
                    runner.close();
                }
                if (repo != null) {
                    try {
                        if (runId > 0) {
                            repo.rollback();
                            repo.runs().finishRun(runId, "bad", 0, 0, 0, 0, msg);
                            repo.commit();
                            metrics.runEnded(syncName, lane, "bad", 0, 0, 0, 0, sync.conflictStrategy());
                        }
                    } catch (RuntimeException ignored) {
                        // the repository itself is away; the run is closed as abandoned when it returns
                    }
                    repo.close();
                    repo = null;
                    runner = null;
                }
                failed(false);
            }
        }
        if (runner != null) {
            runner.close();
        }
        if (repo != null) {
            repo.close();
        }
    }

    private static List<Database> databases(SyncPlan p) {
        List<Database> all = new ArrayList<>(p.sources());
        p.targets().forEach(m -> all.add(m.db()));
        return all;
    }

    private boolean repositoryAnswers() {
        try (Repository r = Repository.open(repositorySpec, "ibex-daemon")) {
            r.schema().schemaVersion();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private synchronized void failed(boolean transientFailure) {
        failures++;
        long backoff = transientFailure ? 200 : Math.min(settings.get().maxBackoffMs(), 1000L << Math.min(failures - 1, 16));
        retryAt = System.currentTimeMillis() + backoff;
        kicked = true;
    }

    /**
     * The pause before an autokicked run, after a run that took runMs and moved rows, cycleMs after the run before it
     * began (see the comment on REST_FACTOR).
     */
    static long pauseAfterRun(Settings settings, long runMs, long rows, long cycleMs) {
        long gatherMs = settings.gatherMs();
        boolean busy = rows * 1000 / Math.max(1, cycleMs) >= BUSY_ROWS_PER_SECOND;
        return busy ? Math.max(gatherMs, Math.min(settings.gatherMaxMs(), REST_FACTOR * runMs)) : gatherMs;
    }

    enum Work { RUN, PROBE, STOP }

    private static final long PROBE_EVERY_MS = 2000;
    private long lastProbe;

    /** Waits until there is a reason to run, or to probe a failed database during a backoff. */
    private synchronized Work waitForWork() {
        long lastRun = System.currentTimeMillis();
        while (!stopping) {
            long now = System.currentTimeMillis();
            Integer checktime = sync.checktimeSeconds();
            if (sync.paused()) {
                try {
                    wait(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Work.STOP;
                }
                continue;
            }
            long gatherUntil = lastRun + pauseAfterRun(settings.get(), lastRunMs, lastRunRows, lastCycleMs);
            boolean due = kicked && (manualKick || (now >= retryAt && (failures > 0 || now >= gatherUntil)));
            if (due) {
                kicked = false;
                manualKick = false;
                return Work.RUN;
            }
            if (checktime != null && now - lastRun >= checktime * 1000L) {
                return Work.RUN;
            }
            if (kicked && failures > 0 && now - lastProbe >= PROBE_EVERY_MS) {
                lastProbe = now;
                return Work.PROBE;
            }
            long wait = 60_000;
            if (kicked) {
                wait = Math.max(1, Math.min(Math.max(retryAt, gatherUntil) - now, failures > 0 ? lastProbe + PROBE_EVERY_MS - now : Long.MAX_VALUE));
            }
            if (checktime != null) {
                wait = Math.min(wait, Math.max(1, lastRun + checktime * 1000L - now));
            }
            try {
                wait(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Work.STOP;
            }
        }
        return Work.STOP;
    }
}
