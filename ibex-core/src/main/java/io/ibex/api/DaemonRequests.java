package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.api.Ibex.Kick;
import io.ibex.api.Ibex.KickResult;
import io.ibex.db.Pg;
import io.ibex.engine.Daemon;
import io.ibex.model.DaemonInfo;
import io.ibex.repository.Daemons;
import io.ibex.repository.Repository;
import io.ibex.model.Sync;

import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** What the commands ask of a running daemon through the repository: is it running, stop, kick, message, reload. */
final class DaemonRequests extends RepositoryCommand {
    DaemonRequests(Supplier<Repository> repositories) {
        super(repositories);
    }

    /** Whether a daemon holds this repository's lock, wherever it runs. */
    boolean daemonRunning() {
        try (Repository repo = openRepository()) {
            boolean running = Pg.exists(repo.connection(), "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = "
                    + "(SELECT oid FROM pg_database WHERE datname = current_database()) AND classid = 0 AND objid = "
                    + Daemon.LOCK_KEY + " AND objsubid = 1 AND granted");
            repo.commit();
            return running;
        } catch (SQLException e) {
            throw new IbexException("repository: " + Pg.firstLine(e));
        }
    }

    /** The daemons registered in the repository, each with its heartbeat's age and whether its session lives. */
    List<DaemonInfo> daemons() {
        try (Repository repo = openRepository()) {
            List<DaemonInfo> all = Daemons.list(repo.connection());
            repo.commit();
            return all;
        }
    }

    /** Every sync's lease: which daemon runs it, under which epoch, until when. */
    List<io.ibex.repository.Leases.Lease> leases() {
        try (Repository repo = openRepository()) {
            List<io.ibex.repository.Leases.Lease> all = io.ibex.repository.Leases.list(repo.connection());
            repo.commit();
            return all;
        }
    }

    /** Whether a daemon runs on this repository: registered, its session alive, its heartbeat recent. */
    boolean daemonAlive() {
        try (Repository repo = openRepository()) {
            boolean alive = Daemons.running(repo.connection());
            repo.commit();
            return alive;
        }
    }

    /**
     * Asks the named daemon (every one when name is null) to stop, through its row and a notice in one transaction;
     * returns the names asked.
     */
    List<String> requestStop(String name, String reason) {
        try (Repository repo = openRepository()) {
            List<String> asked = Daemons.requestStop(repo.connection(), name, reason);
            repo.notify(Daemon.CONTROL_CHANNEL, "stop");
            repo.commit();
            return asked;
        }
    }

    /** Asks the daemon to run a sync now, with every change committed before this call. */
    Kick kick(String syncName) {
        try (Repository repo = openRepository()) {
            Sync s = repo.requireSync(syncName);
            if (!s.active()) {
                throw new IbexException("sync \"" + syncName + "\" is inactive: run 'ibex activate " + syncName + "' first");
            }
            if (!daemonRunning()) {
                throw new IbexException("the ibex daemon is not running: start it with 'ibex start'");
            }
            OffsetDateTime at = repo.now();
            long ticket = repo.runs().kickTicket();
            repo.notify(Daemon.KICK_CHANNEL, Kicks.payload(ticket, syncName));
            repo.commit();
            return Kicks.of(syncName, ticket, at);
        }
    }

    /** Waits for the runs that answer the kick, one per lane the daemon runs; a null timeout waits forever. */
    KickResult awaitKick(Kick kick, Duration timeout, Consumer<Duration> tick) {
        try (Repository repo = openRepository()) {
            return Kicks.await(repo, kick, timeout, tick);
        }
    }

    /** Writes a line into the daemon's log ({@code ibex message TEXT}). */
    void message(String text) {
        try (Repository repo = openRepository()) {
            repo.notify(Daemon.CONTROL_CHANNEL, "message:" + text);
            repo.commit();
        }
    }

    /** Asks a running daemon to re-read every sync's options and tables. */
    void reload() {
        try (Repository repo = openRepository()) {
            repo.notify(Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
        }
    }

    /**
     * {@code ibex ping}: asks the daemon through the repository to answer, and waits for its answer; the time it took,
     * or empty when no daemon answered within the timeout.
     */
    java.util.Optional<Duration> ping(Duration timeout) {
        try (Repository repo = openRepository()) {
            org.postgresql.PGConnection pg = repo.connection().unwrap(org.postgresql.PGConnection.class);
            Pg.exec(repo.connection(), "LISTEN " + Daemon.PONG_CHANNEL);
            repo.commit();
            String token = Long.toString(System.nanoTime());
            long start = System.nanoTime();
            repo.notify(Daemon.CONTROL_CHANNEL, "ping:" + token);
            repo.commit();
            long deadline = start + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                int wait = (int) Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000));
                org.postgresql.PGNotification[] got = pg.getNotifications(wait);
                for (org.postgresql.PGNotification n : got == null ? new org.postgresql.PGNotification[0] : got) {
                    if (Daemon.PONG_CHANNEL.equals(n.getName()) && token.equals(n.getParameter())) {
                        return java.util.Optional.of(Duration.ofNanos(System.nanoTime() - start));
                    }
                }
            }
            return java.util.Optional.empty();
        } catch (SQLException e) {
            throw new IbexException("repository: " + Pg.firstLine(e));
        }
    }

    /** Asks a running daemon to close and reopen its log file ({@code ibex reopen}, after logrotate moved it). */
    void reopen() {
        try (Repository repo = openRepository()) {
            repo.notify(Daemon.CONTROL_CHANNEL, "reopen");
            repo.commit();
        }
    }
}
