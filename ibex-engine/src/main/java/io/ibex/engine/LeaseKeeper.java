package io.ibex.engine;

import io.ibex.db.ConnectionSpec;
import io.ibex.db.Pg;
import io.ibex.model.DaemonInfo;
import io.ibex.repository.Daemons;
import io.ibex.repository.Leases;
import io.ibex.repository.RunHistory;
import io.ibex.settings.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The daemon's leases on syncs (see docs/design.md, "Several daemons: leases and fencing"): from a thread and
 * connection of its own, every third of lease_seconds, it renews the leases it holds, takes free or expired ones up
 * to its share (ceil(active syncs / live daemons)), and gives back those beyond its share, of inactive syncs, or
 * pinned to another daemon; while a live daemon holds fewer than floor(active syncs / live daemons), the others give
 * back down to that floor and only the starved daemon takes. Whether it still holds a lease is told by this host's monotonic clock alone: a lease
 * whose last renewal is older than four fifths of lease_seconds is not held any more, whatever the repository says,
 * so that a daemon frozen or cut off stops its workers before another daemon can take the sync.
 */
final class LeaseKeeper {

    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    /** A lease held: the epoch won, and when (System.nanoTime, taken before the statement) it was last renewed. */
    record Held(long epoch, long renewedNanos) {
    }

    private final String me;
    private final ConnectionSpec spec;
    private final Supplier<Settings> settings;
    /** Stops the sync's workers and waits for them, before its lease is given back. */
    private final Consumer<String> standDown;
    /** Told when a lease is won or lost. */
    private final Runnable changed;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Set<String> givingBack = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** Until the first round has run: take the leases a dead predecessor of this name left (see start). */
    private volatile boolean inheriting;
    private Connection c;
    private Thread thread;

    LeaseKeeper(String me, ConnectionSpec spec, Supplier<Settings> settings, Consumer<String> standDown, Runnable changed) {
        this.me = me;
        this.spec = spec;
        this.settings = settings;
        this.standDown = standDown;
        this.changed = changed;
    }

    String owner() {
        return me;
    }

    /** Whether this daemon may run the sync now (its lease renewed recently enough by the local monotonic clock). */
    boolean holds(String sync) {
        Held h = held.get(sync);
        long limit = settings.get().leaseMs() * 1_000_000L * 4 / 5;
        return h != null && !givingBack.contains(sync) && System.nanoTime() - h.renewedNanos < limit;
    }

    /** The epoch of the sync's lease held, or 0. */
    long epoch(String sync) {
        Held h = held.get(sync);
        return h == null ? 0 : h.epoch;
    }

    /**
     * inherit: this daemon replaces one of its name that died on this host (a restart after a crash); the leases it
     * left under this name are taken at once, under new epochs, instead of after they expire.
     */
    void start(boolean inherit) {
        inheriting = inherit;
        thread = new Thread(this::loop, "ibex-leases");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (!closed) {
            tick();
            try {
                Thread.sleep(Math.max(300, settings.get().leaseMs() / 3));
            } catch (InterruptedException e) {
                break;
            }
        }
    }

    /** One round: renew, give back, take. Also run at once when a kick or reload names a sync no worker runs. */
    synchronized void tick() {
        if (closed) {
            return;
        }
        try {
            if (c == null) {
                c = spec.open("ibex-leases");
                c.setAutoCommit(true);
            }
            round(c);
        } catch (Exception e) {
            log.debug("MCP Lease round failed: {}", Pg.firstLine(e));
            Pg.closeQuietly(c);
            c = null;
        }
    }

    private void round(Connection c) {
        int leaseSeconds = settings.get().leaseSeconds();
        long before = System.nanoTime();
        Map<String, Long> mine = new HashMap<>();
        held.forEach((s, h) -> mine.put(s, h.epoch));
        Map<String, Long> renewed = Leases.renew(c, me, mine, leaseSeconds);
        boolean lost = false;
        for (String s : mine.keySet()) {
            if (renewed.containsKey(s)) {
                held.put(s, new Held(renewed.get(s), before));
            } else {
                held.remove(s);
                lost = true;
                log.warn("MCP Lost the lease of sync {} (taken over by another daemon): its workers stop", s);
            }
        }
        Leases.ensureRows(c);
        List<Leases.Lease> all = Leases.list(c);
        Set<String> liveNames = Daemons.list(c).stream().filter(DaemonInfo::running).map(DaemonInfo::name).collect(Collectors.toSet());
        long live = Math.max(1, liveNames.size());
        long active = all.stream().filter(Leases.Lease::active).count();
        long share = (active + live - 1) / live;
        // a live daemon below the fair floor (one that joined, or whose syncs others took while it was away): those
        // above the floor make room for it, one sync a round each, and only it takes them
        long floor = active / live;
        Map<String, Long> load = new HashMap<>();
        liveNames.forEach(n -> load.put(n, 0L));
        all.stream().filter(l -> l.held() && l.pinned() == null && load.containsKey(l.owner())).forEach(l -> load.merge(l.owner(), 1L, Long::sum));
        boolean starved = load.values().stream().anyMatch(n -> n < floor);
        Map<String, Leases.Lease> bySync = all.stream().collect(Collectors.toMap(Leases.Lease::sync, l -> l));
        boolean gave = false;
        for (String s : Set.copyOf(held.keySet())) {
            Leases.Lease l = bySync.get(s);
            long count = unpinnedHeld(bySync);
            boolean excess = l != null && l.pinned() == null && !gave && (count > share || starved && count > floor);
            if (l == null || !l.active() || l.pinned() != null && !l.pinned().equals(me) || excess) {
                giveBack(c, s);
                gave |= excess;
                lost = true;
            }
        }
        boolean won = false;
        if (inheriting) {
            for (Leases.Lease l : all) {
                if (l.active() && l.held() && me.equals(l.owner()) && !held.containsKey(l.sync())) {
                    long epoch = Leases.inherit(c, l.sync(), me, leaseSeconds);
                    if (epoch > 0) {
                        held.put(l.sync(), new Held(epoch, before));
                        new RunHistory(c).closeAbandonedRuns(me, l.sync());
                        won = true;
                        log.info("MCP Took the lease of sync {} (epoch {}) at once: its owner was this daemon's predecessor, dead",
                                l.sync(), epoch);
                    }
                }
            }
            inheriting = false;
        }
        for (Leases.Lease l : all) {
            if (!l.active() || held.containsKey(l.sync()) || l.held()) {
                continue;
            }
            boolean pinnedHere = me.equals(l.pinned());
            long count = unpinnedHeld(bySync);
            if (l.pinned() != null && !pinnedHere || !pinnedHere && (count >= share || starved && count >= floor)) {
                continue;
            }
            long epoch = Leases.acquire(c, l.sync(), me, leaseSeconds);
            if (epoch > 0) {
                held.put(l.sync(), new Held(epoch, before));
                new RunHistory(c).closeAbandonedRuns(me, l.sync());
                won = true;
                log.info("MCP Took the lease of sync {} (epoch {})", l.sync(), epoch);
            }
        }
        if (won || lost) {
            changed.run();
        }
    }

    private long unpinnedHeld(Map<String, Leases.Lease> bySync) {
        return held.keySet().stream().map(bySync::get).filter(l -> l != null && l.pinned() == null).count();
    }

    /** Stops the sync's workers first, then frees the lease: never a moment where two daemons run it. */
    private void giveBack(Connection c, String sync) {
        Held h = held.get(sync);
        givingBack.add(sync);
        try {
            standDown.accept(sync);
            Leases.release(c, sync, me, h.epoch);
            held.remove(sync);
            log.info("MCP Gave back the lease of sync {}", sync);
        } finally {
            givingBack.remove(sync);
        }
    }

    /** At a clean stop, once every worker has stopped: every lease given back, so that others take them at once. */
    void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
        synchronized (this) {
            if (!held.isEmpty()) {
                try {
                    if (c == null) {
                        c = spec.open("ibex-leases");
                        c.setAutoCommit(true);
                    }
                    for (Map.Entry<String, Held> e : held.entrySet()) {
                        Leases.release(c, e.getKey(), me, e.getValue().epoch);
                    }
                } catch (Exception e) {
                    log.warn("MCP Could not give back the leases (they expire in lease_seconds): {}", Pg.firstLine(e));
                }
                held.clear();
            }
            Pg.closeQuietly(c);
            c = null;
        }
    }
}
