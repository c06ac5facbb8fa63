package io.ibex.repository;

import io.ibex.db.Pg;

import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.ibex.repository.Jdbc.call;

/**
 * Table {@code ibex.sync_lease}: which daemon runs each sync, until when (the repository's clock), under which epoch.
 * Every takeover increments the epoch; a daemon's renewals, releases and position writes name the epoch it won, so
 * that a daemon that lost its lease without knowing it changes nothing here (see docs/design.md, "Several daemons").
 * Every method runs in the caller's transaction.
 */
public final class Leases {

    private Leases() {
    }

    /** One sync's lease as status shows it; owner null when free, expiresIn negative when expired. */
    public record Lease(String sync, String owner, long epoch, Duration expiresIn, String pinned, boolean active) {
        public boolean held() {
            return owner != null && !expiresIn.isNegative();
        }
    }

    /** Creates the missing rows (free leases) of every sync. */
    public static void ensureRows(Connection c) {
        call(() -> Pg.update(c, "INSERT INTO ibex.sync_lease (sync) SELECT s.name FROM ibex.sync s"
                + " WHERE NOT EXISTS (SELECT 1 FROM ibex.sync_lease l WHERE l.sync = s.name)"));
    }

    /** Every lease, by sync. */
    public static List<Lease> list(Connection c) {
        return call(() -> Pg.query(c, "SELECT l.sync, l.owner, l.epoch, extract(epoch FROM l.expires_at - clock_timestamp()), l.pinned,"
                + " s.status = 'active' FROM ibex.sync_lease l JOIN ibex.sync s ON s.name = l.sync ORDER BY l.sync",
                rs -> new Lease(rs.getString(1), rs.getString(2), rs.getLong(3),
                rs.getObject(4) == null ? Duration.ofSeconds(-1) : Duration.ofMillis(Math.round(rs.getDouble(4) * 1000)), rs.getString(5),
                rs.getBoolean(6))));
    }

    /**
     * Takes the sync's lease for owner if it is free or expired (by the repository's clock) and not pinned to another
     * daemon; returns the new epoch, or 0. The row lock of the UPDATE makes two daemons racing for it see each other:
     * the second re-reads the row after the first commits, finds it unexpired, and takes nothing.
     */
    public static long acquire(Connection c, String sync, String owner, int leaseSeconds) {
        return call(() -> {
            List<Long> got = Pg.query(c, "UPDATE ibex.sync_lease SET owner = ?, epoch = epoch + 1,"
                    + " expires_at = clock_timestamp() + ? * interval '1 second'"
                    + " WHERE sync = ? AND (owner IS NULL OR expires_at IS NULL OR expires_at <= clock_timestamp())"
                    + " AND (pinned IS NULL OR pinned = ?) RETURNING epoch", rs -> rs.getLong(1), owner, leaseSeconds, sync, owner);
            return got.isEmpty() ? 0L : got.get(0);
        });
    }

    /**
     * Takes, under a new epoch, a lease still held under owner's name by a predecessor of that name known dead (its
     * process gone on this host), without waiting for it to expire; returns the new epoch, or 0.
     */
    public static long inherit(Connection c, String sync, String owner, int leaseSeconds) {
        return call(() -> {
            List<Long> got = Pg.query(c, "UPDATE ibex.sync_lease SET epoch = epoch + 1,"
                    + " expires_at = clock_timestamp() + ? * interval '1 second'"
                    + " WHERE sync = ? AND owner = ? AND (pinned IS NULL OR pinned = ?) RETURNING epoch", rs -> rs.getLong(1),
                    leaseSeconds, sync, owner, owner);
            return got.isEmpty() ? 0L : got.get(0);
        });
    }

    /**
     * Renews the leases owner holds under these epochs (sync to epoch); returns those renewed. A lease taken over
     * meanwhile has a new epoch and is not renewed, even if the takeover's owner is this daemon again.
     */
    public static Map<String, Long> renew(Connection c, String owner, Map<String, Long> held, int leaseSeconds) {
        Map<String, Long> renewed = new HashMap<>();
        for (Map.Entry<String, Long> e : held.entrySet()) {
            if (call(() -> Pg.update(c, "UPDATE ibex.sync_lease SET expires_at = clock_timestamp() + ? * interval '1 second'"
                    + " WHERE sync = ? AND owner = ? AND epoch = ?", leaseSeconds, e.getKey(), owner, e.getValue())) > 0) {
                renewed.put(e.getKey(), e.getValue());
            }
        }
        return renewed;
    }

    /** Gives the lease up (a clean stop, or a share given back): the next daemon takes it at once. */
    public static void release(Connection c, String sync, String owner, long epoch) {
        call(() -> Pg.update(c, "UPDATE ibex.sync_lease SET owner = NULL, expires_at = NULL WHERE sync = ? AND owner = ? AND epoch = ?",
                sync, owner, epoch));
    }

    /**
     * Whether owner still holds the sync's lease under epoch, unexpired by the repository's clock. No row lock: the
     * owner's own renewals must never wait for its workers' transactions.
     */
    public static boolean stillMine(Connection c, String sync, String owner, long epoch) {
        return call(() -> Pg.exists(c, "SELECT 1 FROM ibex.sync_lease WHERE sync = ? AND owner = ? AND epoch = ?"
                + " AND expires_at > clock_timestamp()", sync, owner, epoch));
    }

    /** Pins the sync to a daemon (null: any daemon may run it). */
    public static void pin(Connection c, String sync, String daemon) {
        call(() -> {
            ensureRows(c);
            return Pg.update(c, "UPDATE ibex.sync_lease SET pinned = ? WHERE sync = ?", daemon, sync);
        });
    }

    /** The daemon the sync is pinned to, or null. */
    public static String pinned(Connection c, String sync) {
        return call(() -> {
            List<String> p = Pg.query(c, "SELECT pinned FROM ibex.sync_lease WHERE sync = ?", rs -> rs.getString(1), sync);
            return p.isEmpty() ? null : p.get(0);
        });
    }

}
