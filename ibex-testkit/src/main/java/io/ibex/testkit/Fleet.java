package io.ibex.testkit;

import io.ibex.IbexException;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.fail;

/**
 * Several named daemons, each its own process, on one repository (see NOTES-fleet.md); each may reach the repository
 * through a {@link TcpProxy} of its own, so that a test can cut one daemon's repository connections while its
 * source and target connections stay up. Who runs a sync is read from {@code ibex.sync_lease}, directly.
 */
public final class Fleet implements AutoCloseable {

    /** A sync's lease as the repository has it now; owner null when free or expired; expires null when free. */
    public record Lease(String owner, long epoch, java.time.Instant expires) {
    }

    /** A takeover seen: the lease after it, and how long after the fault it was first seen. */
    public record Takeover(Lease lease, Duration after) {
    }

    private final Db repository;
    private final List<DaemonProc> daemons = new ArrayList<>();
    private final List<TcpProxy> proxies = new ArrayList<>();

    /** names: one daemon each; proxied: whether each reaches the repository through a proxy of its own. */
    public Fleet(Db repository, List<String> names, boolean proxied) throws Exception {
        this.repository = repository;
        for (String name : names) {
            TcpProxy proxy = proxied ? TcpProxy.start(repository.server().port()) : null;
            proxies.add(proxy);
            daemons.add(new DaemonProc(repository, Files.createTempDirectory("ibex-fleet-" + name), name, proxy == null ? 0 : proxy.port()));
        }
    }

    /** Starts every daemon not running, one after the other. */
    public Fleet start() throws InterruptedException {
        for (DaemonProc d : daemons) {
            if (!d.alive()) {
                start(d);
            }
        }
        return this;
    }

    /**
     * Starts one daemon. Right after a SIGKILL the repository may still show the killed one (its session not gone
     * yet): the start is refused for a moment, and tried again.
     */
    public static void start(DaemonProc d) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                d.start();
                return;
            } catch (IbexException e) {
                if (!e.getMessage().contains("already running") || attempt >= 20) {
                    throw new AssertionError("daemon " + d.name() + " did not start: " + e.getMessage() + "\n" + d.log(), e);
                }
                Thread.sleep(500);
            }
        }
    }

    public List<DaemonProc> daemons() {
        return daemons;
    }

    public DaemonProc daemon(String name) {
        return daemons.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no daemon " + name));
    }

    /** The proxy between this daemon and the repository (the fleet must have been made with proxied = true). */
    public TcpProxy proxy(String name) {
        TcpProxy p = proxies.get(daemons.indexOf(daemon(name)));
        if (p == null) {
            throw new IllegalStateException("daemon " + name + " reaches the repository directly");
        }
        return p;
    }

    /** The sync's lease now (owner null when free or expired by the repository's clock). */
    public Lease lease(String sync) throws SQLException {
        try (Connection c = repository.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT CASE WHEN expires_at > clock_timestamp() THEN owner END, epoch, expires_at FROM ibex.sync_lease WHERE sync = ?")) {
            ps.setString(1, sync);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Lease(null, 0, null);
                }
                java.sql.Timestamp expires = rs.getTimestamp(3);
                return new Lease(rs.getString(1), rs.getLong(2), expires == null ? null : expires.toInstant());
            }
        }
    }

    /** Waits until a daemon holds the sync's lease, and returns it. */
    public Lease awaitOwner(String sync, Duration timeout) throws InterruptedException {
        return awaitLease(sync, l -> l.owner() != null, System.nanoTime(), timeout, "an owner of sync " + sync).lease();
    }

    /** The running daemon that owns the sync now. */
    public DaemonProc awaitOwnerDaemon(String sync, Duration timeout) throws InterruptedException {
        return daemon(awaitOwner(sync, timeout).owner());
    }

    /**
     * Waits until another daemon than the one of {@code before} has taken the lease (a higher epoch, unexpired);
     * the duration is measured from {@code faultNanos} (System.nanoTime of the fault) to the first poll that saw it.
     */
    public Takeover awaitTakeover(String sync, Lease before, long faultNanos, Duration timeout) throws InterruptedException {
        return awaitLease(sync, l -> l.owner() != null && !l.owner().equals(before.owner()) && l.epoch() > before.epoch(), faultNanos,
                timeout, "another daemon than " + before.owner() + " to take sync " + sync);
    }

    /** Waits until the lease satisfies the condition, polling every 50 ms; the repository may be away meanwhile. */
    public Takeover awaitLease(String sync, Predicate<Lease> condition, long sinceNanos, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Lease last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = lease(sync);
                if (condition.test(last)) {
                    return new Takeover(last, Duration.ofNanos(System.nanoTime() - sinceNanos));
                }
            } catch (SQLException e) {
                // the repository is away for now
            }
            Thread.sleep(50);
        }
        StringBuilder logs = new StringBuilder();
        for (DaemonProc d : daemons) {
            String log = d.log();
            logs.append("--- daemon ").append(d.name()).append(" (alive: ").append(d.alive()).append("), end of its log:\n")
                    .append(log, Math.max(0, log.length() - 4000), log.length()).append('\n');
        }
        return fail("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; last lease " + last + "\n" + logs);
    }

    /** Thaws, heals and stops every daemon, and closes the proxies. */
    @Override
    public void close() {
        for (int i = 0; i < daemons.size(); i++) {
            DaemonProc d = daemons.get(i);
            TcpProxy p = proxies.get(i);
            if (p != null) {
                p.heal();
            }
            if (d.alive()) {
                try {
                    d.thaw();
                } catch (RuntimeException ignored) {
                    // not frozen
                }
                d.stop();
            }
        }
        proxies.forEach(p -> {
            if (p != null) {
                p.close();
            }
        });
    }
}
