package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.db.ConnectionSpec;
import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.repository.Daemons;
import io.ibex.repository.Repository;
import io.ibex.model.Role;
import io.ibex.model.Sync;
import io.ibex.settings.Settings;
import io.ibex.spi.MetricsSink;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The replication daemon (Bucardo's MCP): one worker thread per active sync, one watcher per source database,
 * kicks and control messages from the command line over LISTEN/NOTIFY on the repository, and a periodic purge.
 * Several daemons may run on one repository (each registers there with a heartbeat, see {@link DaemonRegistration}):
 * a daemon runs the syncs whose lease it holds (see {@link LeaseKeeper}), fenced on their targets (see {@link Fence}).
 */
public class Daemon {

    public static final String KICK_CHANNEL = "ibex_kick";
    public static final String CONTROL_CHANNEL = "ibex_control";
    /** Where the daemon answers 'ibex ping' (payload "ping:TOKEN" on the control channel) with TOKEN. */
    public static final String PONG_CHANNEL = "ibex_pong";
    /** The advisory lock key that marks a running daemon (arbitrary, fixed: "ibex" in ASCII). */
    public static final long LOCK_KEY = Daemons.LOCK_KEY;

    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    private static final long RELOAD_EVERY_MS = 10_000;
    /** The settings of the last reload: the workers read the current one through {@link #settings()}. */
    private volatile Settings settings = Settings.defaults();

    private final ConnectionSpec repositorySpec;
    private final PidFile pidFile;
    private final DaemonRegistration registration;
    private final LogLevelControl logLevel;
    private final LeaseKeeper leases;
    /** Set when a lease is won or lost: the main loop reloads at once. */
    private volatile boolean leasesChanged;
    private final Map<String, SyncWorker> workers = new ConcurrentHashMap<>();
    private final Map<String, SourceWatcher> watchers = new ConcurrentHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean stopping;
    private MetricsSink metrics = MetricsSink.NONE;
    private String version = "dev";
    private Runnable reopenLogs = () -> { };
    private DaemonObserver observer;

    /** A daemon that leaves the log level alone (log_level is not applied). */
    public Daemon(ConnectionSpec repositorySpec, Path pidFile) {
        this(repositorySpec, pidFile, LogLevelControl.UNCHANGED);
    }

    /** logLevel: how to apply the repository's log_level at each reload. The daemon is named after its host. */
    public Daemon(ConnectionSpec repositorySpec, Path pidFile, LogLevelControl logLevel) {
        this(repositorySpec, pidFile, logLevel, null);
    }

    /** name: the daemon's name in the repository (null: the host's name). */
    public Daemon(ConnectionSpec repositorySpec, Path pidFile, LogLevelControl logLevel, String name) {
        this.repositorySpec = repositorySpec;
        this.pidFile = pidFile == null ? null : new PidFile(pidFile);
        this.logLevel = logLevel;
        this.registration = new DaemonRegistration(DaemonIdentity.current(name, pidFile == null ? null : pidFile.getParent()), repositorySpec);
        this.leases = new LeaseKeeper(registration.identity().name(), repositorySpec, this::settings, this::standDown,
                () -> leasesChanged = true);
    }

    /**
     * Reports to this sink (before {@link #run()}): runs as they end, and every status_interval a snapshot; the sink
     * serves on http_listen from the first reload on.
     */
    public Daemon metrics(MetricsSink sink, String version) {
        this.metrics = sink;
        this.version = version;
        return this;
    }

    /** What {@code ibex reopen} does: close and reopen the log file (after logrotate moved it). */
    public Daemon onReopen(Runnable reopen) {
        this.reopenLogs = reopen;
        return this;
    }

    /** The global settings as of the last reload. */
    public Settings settings() {
        return settings;
    }

    /** Asks a running daemon to stop; returns at once. */
    public void requestStop() {
        stopping = true;
    }

    /** Waits until the daemon listens for kicks and has started its syncs; false on timeout. */
    public boolean awaitStarted(Duration timeout) throws InterruptedException {
        return started.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Blocks until {@link #run()} has cleaned up. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    public void run() {
        Repository repo = Repository.open(repositorySpec, "ibex-daemon").requireInstalled();
        boolean registered = false;
        try {
            registration.acquire(repo);
            registered = true;
            int abandoned = repo.runs().closeAbandonedRuns(registration.identity().name(), null);
            Pg.exec(repo.connection(), "LISTEN " + KICK_CHANNEL);
            Pg.exec(repo.connection(), "LISTEN " + CONTROL_CHANNEL);
            repo.commit();
            registration.startHeartbeat(this::stopAsked);
            applySettings(repo.settingTable().settings());
            repo.commit();
            leases.start(registration.predecessorDead());
            if (pidFile != null) {
                pidFile.write(ProcessHandle.current().pid(), repositorySpec.describe());
            }
            DaemonIdentity id = registration.identity();
            log.info("MCP Starting ibex daemon \"{}\", pid {} on {}, ibex {}{}", id.name(), id.pid(), id.host(), id.version(),
                    abandoned > 0 ? " (closed " + abandoned + " runs left open by a previous daemon)" : "");
            repo = loop(repo);
        } catch (SQLException e) {
            throw new IbexException("repository: " + Pg.firstLine(e), e);
        } finally {
            shutdown();
            if (registered) {
                registration.deregister(repo);
            }
            repo.close();
            if (pidFile != null) {
                pidFile.deleteIfOwn(ProcessHandle.current().pid());
            }
            log.info("MCP ibex daemon stopped");
            stopped.countDown();
        }
    }

    /** A stop asked for through the repository ('ibex stop' from any shell). */
    private void stopAsked(String reason) {
        log.info("MCP Stop requested{}", reason == null || reason.isBlank() ? "" : ": " + reason);
        stopping = true;
    }

    /** Runs until stopped; returns the repository connection it ends with (it may have reconnected). */
    private Repository loop(Repository repo) {
        long lastReload = 0;
        long lastPurge = 0;
        boolean first = true;
        while (!stopping) {
            try {
                if (first) {
                    // inside the loop, so that a repository lost while the syncs load is reconnected like any other
                    reload(repo, true);
                    first = false;
                    lastReload = System.currentTimeMillis();
                    startMetrics();
                    started.countDown();
                }
                standDownUnleased();
                if (leasesChanged) {
                    leasesChanged = false;
                    reload(repo, false);
                }
                PGNotification[] notes = repo.connection().unwrap(PGConnection.class).getNotifications(250);
                if (notes != null) {
                    for (PGNotification n : notes) {
                        handle(repo, n);
                    }
                }
                long now = System.currentTimeMillis();
                if (now - lastReload >= RELOAD_EVERY_MS) {
                    reload(repo, false);
                    lastReload = now;
                }
                if (now - lastPurge >= settings.purgeIntervalMs()) {
                    if (PurgeTurn.take(repo.connection())) { // one daemon purges at a time (see docs/design.md)
                        Purger.purge(repo);
                    }
                    repo.runs().pruneRuns();
                    repo.commit();
                    lastPurge = now;
                }
            } catch (Exception e) {
                if (stopping) {
                    return repo;
                }
                log.warn("MCP Lost the repository: {} (reconnecting)", Pg.firstLine(e));
                repo = reconnect(repo);
            }
        }
        return repo;
    }

    private Repository reconnect(Repository old) {
        old.close();
        while (!stopping) {
            try {
                Thread.sleep(2000);
                Repository repo = Repository.open(repositorySpec, "ibex-daemon").requireInstalled();
                try {
                    registration.reacquire(repo);
                } catch (IbexException e) {
                    repo.close();
                    throw e;
                }
                Pg.exec(repo.connection(), "LISTEN " + KICK_CHANNEL);
                Pg.exec(repo.connection(), "LISTEN " + CONTROL_CHANNEL);
                repo.commit();
                log.info("MCP Reconnected to the repository");
                workers.values().forEach(w -> w.kick(false));
                return repo;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            } catch (IbexException e) {
                if (e.getMessage().startsWith("another")) {
                    log.error("MCP {}: stopping", e.getMessage());
                    stopping = true;
                }
            } catch (Exception e) {
                // still away; try again
            }
        }
        return Repository.open(repositorySpec, "ibex-daemon");
    }

    private void handle(Repository repo, PGNotification n) {
        if (KICK_CHANNEL.equals(n.getName())) {
            // "TICKET SYNC": the runs that take this kick record its ticket, so that 'ibex kick' waits for them alone.
            // Every update committed before the kick sent its reload before it, so the kick runs with that configuration.
            String p = n.getParameter();
            int space = p.indexOf(' ');
            long ticket = space > 0 ? Long.parseLong(p.substring(0, space)) : 0;
            String sync = p.substring(space + 1);
            if (lanesOf(sync).isEmpty()) {
                leases.tick(); // a sync no daemon runs yet (just added): whoever wins its lease takes the kick
                if (leases.holds(sync)) {
                    reload(repo, false);
                }
            }
            List<SyncWorker> lanes = lanesOf(sync);
            if (!lanes.isEmpty()) {
                log.info("MCP Kick of sync {}", sync);
                lanes.forEach(w -> w.kick(true, ticket));
            }
        } else if (CONTROL_CHANNEL.equals(n.getName())) {
            String p = n.getParameter();
            if ("stop".equals(p)) {
                registration.stopRequested(repo, this::stopAsked); // the notice is for every daemon: is it for this one?
            } else if ("reload".equals(p)) {
                log.info("MCP Reload requested");
                leases.tick();
                reload(repo, false);
                workers.values().forEach(w -> w.reload(w.sync()));
            } else if (p.startsWith("ping:")) {
                repo.notify(PONG_CHANNEL, p.substring("ping:".length()));
                repo.commit();
            } else if ("reopen".equals(p)) {
                reopenLogs.run();
                log.info("MCP Reopened the log file");
            } else if (p.startsWith("message:")) {
                log.info("MESSAGE {}", p.substring("message:".length()));
            }
        }
    }

    /** Starts workers for new active syncs, stops those of removed or inactive ones, passes on changed options. */
    private void reload(Repository repo, boolean startup) {
        sourcesOfSync.clear();
        applySettings(repo.settingTable().settings());
        List<Sync> syncs = repo.syncs();
        Set<String> active = new HashSet<>();
        Set<String> sourceDbs = new HashSet<>();
        Map<String, Database> dbs = new HashMap<>();
        for (Sync s : syncs) {
            if (!s.active() || !leases.holds(s.name())) {
                continue;
            }
            DbGroup g = repo.dbGroup(s.dbgroup()).orElse(null);
            if (g == null) {
                continue;
            }
            for (String src : g.dbsWithRole(Role.SOURCE)) {
                repo.database(src).filter(Database::active).ifPresent(d -> {
                    sourceDbs.add(src);
                    dbs.put(src, d);
                });
            }
            Lanes lanes = Lanes.of(g, name -> repo.database(name).orElse(null));
            if (!lanes.skipped().isEmpty()) {
                log.debug("MCP Sync {} skips {} lane(s): database(s) {} inactive", s.name(), lanes.skipped().size(), lanes.inactiveDbs());
            }
            for (String lane : lanes.running()) {
                String key = laneKey(s.name(), lane);
                active.add(key);
                SyncWorker w = workers.get(key);
                if (w == null) {
                    String syncName = s.name();
                    long epoch = leases.epoch(syncName);
                    w = new SyncWorker(s, lane, repositorySpec, this::kickTaken, this::settings, metrics,
                            new Fence(syncName, leases.owner(), epoch), () -> leases.holds(syncName) && leases.epoch(syncName) == epoch);
                    workers.put(key, w);
                    w.start(s.autokick());
                    if (!startup) {
                        log.info("MCP Activated sync {}{}", s.name(), lane == null ? "" : " for " + lane);
                    }
                } else if (!w.sync().equals(s)) {
                    w.reload(s);
                }
            }
        }
        repo.commit();
        for (String key : Set.copyOf(workers.keySet())) {
            if (!active.contains(key)) {
                SyncWorker w = workers.remove(key);
                w.stop();
                boolean syncActive = syncs.stream().anyMatch(x -> x.name().equals(w.name()) && x.active());
                if (syncActive && !leases.holds(w.name())) {
                    log.info("MCP Sync {} stopped here: this daemon does not hold its lease", w.name());
                    continue;
                }
                log.info(syncActive ? "MCP Sync {} skips {}: a database is inactive (its changes wait)" : "MCP Deactivated sync {}{}",
                        w.name(), syncActive ? (w.lane() == null ? "every database" : w.lane()) : "");
            }
        }
        for (String db : sourceDbs) {
            SourceWatcher old = watchers.get(db);
            if (old != null && !old.database().equals(dbs.get(db))) {
                watchers.remove(db).stop(); // update db moved it: watch the new place
                log.info("MCP Database \"{}\" changed: reconnecting its watcher", db);
            }
            if (!watchers.containsKey(db) && dbs.containsKey(db)) {
                SourceWatcher l = new SourceWatcher(dbs.get(db), this::sourceChanged, this::kickPending, this::settings);
                watchers.put(db, l);
                l.start();
            }
        }
        for (String db : Set.copyOf(watchers.keySet())) {
            if (!sourceDbs.contains(db)) {
                watchers.remove(db).stop();
            }
        }
    }

    /** Settings from {@code ibex set}; a bad value (stored by hand: set refuses it) keeps the ones before. */
    private void applySettings(Map<String, String> stored) {
        try {
            settings = Settings.parse(stored);
        } catch (IbexException e) {
            log.warn("MCP Settings unchanged: {}", e.getMessage());
            return;
        }
        settings.logLevel().ifPresent(logLevel::set);
    }

    private static String laneKey(String sync, String lane) {
        return sync + "\u0000" + (lane == null ? "" : lane);
    }

    private List<SyncWorker> lanesOf(String sync) {
        return workers.entrySet().stream().filter(e -> e.getKey().startsWith(sync + "\u0000")).map(Map.Entry::getValue).toList();
    }

    /** A commit on a source: kick the syncs that read from it and want autokick. */
    private void sourceChanged(String db) {
        for (SyncWorker w : List.copyOf(workers.values())) {
            Sync s = w.sync();
            if (s.autokick() && sources(s).contains(db)) {
                w.kick(false);
            }
        }
    }

    /** A worker took its kick: the watchers waiting for that (see kickPending) poll again. */
    private void kickTaken() {
        watchers.values().forEach(SourceWatcher::kickTaken);
    }

    /** Whether every sync that sourceChanged would kick for this source has a kick it has not yet begun to run. */
    private boolean kickPending(String db) {
        for (SyncWorker w : List.copyOf(workers.values())) {
            Sync s = w.sync();
            if (s.autokick() && sources(s).contains(db) && !w.kickPending()) {
                return false;
            }
        }
        return true;
    }

    private final Map<String, Set<String>> sourcesOfSync = new ConcurrentHashMap<>();

    private Set<String> sources(Sync s) {
        return sourcesOfSync.computeIfAbsent(s.dbgroup(), g -> {
            try (Repository repo = Repository.open(repositorySpec, "ibex-daemon")) {
                return new HashSet<>(repo.requireDbGroup(g).dbsWithRole(Role.SOURCE));
            } catch (RuntimeException e) {
                return Set.of();
            }
        });
    }

    /** The sink serves on http_listen (read once: a change takes a restart) and is fed by the observer. */
    private void startMetrics() {
        if (metrics == MetricsSink.NONE || settings.httpListen().off()) {
            return;
        }
        metrics.start(settings.httpListen().host(), settings.httpListen().port());
        observer = new DaemonObserver(repositorySpec, metrics, version, this::settings);
        observer.start();
    }

    /**
     * Local fencing: a sync whose lease this daemon's monotonic clock no longer vouches for stops here at once. So does
     * a worker of an older epoch (the lease lost and won again between two looks): it would never run again, and the
     * reload that follows starts one under the new epoch.
     */
    private void standDownUnleased() {
        for (Map.Entry<String, SyncWorker> e : workers.entrySet()) {
            String sync = e.getValue().name();
            boolean stale = !leases.holds(sync) || e.getValue().epoch() != leases.epoch(sync);
            if (stale && workers.remove(e.getKey(), e.getValue())) {
                leasesChanged = true;
                e.getValue().stop();
                log.info("MCP Sync {} stopped here: its lease is not renewed", e.getValue().name());
            }
        }
    }

    /** Stops the sync's workers and waits for them (before its lease is given back). */
    private void standDown(String sync) {
        List<SyncWorker> lanes = lanesOf(sync);
        lanes.forEach(w -> workers.values().remove(w));
        lanes.forEach(SyncWorker::stop);
        for (SyncWorker w : lanes) {
            try {
                w.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void shutdown() {
        if (observer != null) {
            observer.stop();
        }
        metrics.close();
        watchers.values().forEach(SourceWatcher::stop);
        workers.values().forEach(SyncWorker::stop);
        for (SyncWorker w : workers.values()) {
            try {
                w.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        leases.close();
    }
}
