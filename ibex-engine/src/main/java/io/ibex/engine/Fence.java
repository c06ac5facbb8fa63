package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.db.Pg;
import io.ibex.repository.Leases;
import io.ibex.repository.Repository;
import io.ibex.spi.Target;
import org.postgresql.PGConnection;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.zip.CRC32;

/**
 * What keeps a daemon that lost a sync's lease without knowing it from writing (see docs/design.md, "Several daemons:
 * leases and fencing"). On each PostgreSQL target session of the sync: a session advisory lock on the sync's key in
 * shared mode, then every other session holding that key on the target terminated (and waited for), then the lease
 * checked in the repository; all before the session's first write. The sync's other sessions on that target (the
 * parallel workers of a copy, a sliced apply or an index build) take the same lock and then check that the lane's
 * session is still there: a newer owner ends it before its own first write. A position moves only while the lease is
 * this daemon's under the epoch it won.
 */
class Fence {

    /** No fencing: a runner outside a daemon (tests, benchmarks, the embedded API with one daemon). */
    static final Fence NONE = new Fence(null, null, 0) {
        @Override
        Lane targetSession(Connection target, Repository repo) {
            return null;
        }

        @Override
        void join(Connection worker, Lane lane) {
        }

        @Override
        void positions(Repository repo) {
        }

        @Override
        void otherEngine(Target target) {
        }
    };

    /** The first half of the fence lock's key ("ibex" + 1): the second is the sync's name's CRC-32. */
    static final int LOCK_CLASS = 0x69626579;

    private final String sync;
    private final String owner;
    private final long epoch;

    Fence(String sync, String owner, long epoch) {
        this.sync = sync;
        this.owner = owner;
        this.epoch = epoch;
    }

    long epoch() {
        return epoch;
    }

    /** The second half of the sync's fence lock key. */
    static int key(String sync) {
        CRC32 crc = new CRC32();
        crc.update(sync.getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    /** The lane's fenced session on a target (its backend's pid and start), which the sync's other sessions join. */
    record Lane(long pid, long startMicros) {
    }

    /**
     * A new lane session on a target, before its first write; a session of another engine is left alone (null). Every
     * other holder of the key is terminated again at each look until none is left, so that a stale session that took
     * the lock during the sweep cannot outlive it.
     */
    Lane targetSession(Connection target, Repository repo) {
        Lane lane;
        try {
            if (!target.isWrapperFor(PGConnection.class)) {
                return null;
            }
            boolean auto = target.getAutoCommit();
            lock(target);
            String others = "FROM pg_locks l WHERE " + holders() + " AND l.pid <> pg_backend_pid()";
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"0".equals(Pg.queryString(target, "SELECT count(pg_terminate_backend(l.pid))::text " + others))
                    || Pg.exists(target, "SELECT 1 " + others)) {
                if (System.nanoTime() > deadline) {
                    throw new IbexException("sync \"" + sync + "\": another daemon's session on the target would not end");
                }
                if (!auto) {
                    target.commit();
                }
                Thread.sleep(50);
            }
            lane = Pg.query(target, "SELECT pg_backend_pid(), " + START_MICROS + " FROM pg_stat_activity WHERE pid = pg_backend_pid()",
                    rs -> new Lane(rs.getLong(1), rs.getLong(2))).get(0);
            if (!auto) {
                target.commit();
            }
        } catch (SQLException e) {
            throw new IbexException("fencing the target of sync \"" + sync + "\": " + Pg.firstLine(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IbexException("interrupted");
        }
        positions(repo);
        return lane;
    }

    /** A backend's start in microseconds: with its pid, a session no later backend can pass for. */
    private static final String START_MICROS = "round(extract(epoch FROM backend_start) * 1000000)::bigint";

    /**
     * Another session of the sync on the lane's target, before its first write: the same shared lock, then the lane's
     * session must still hold it. A newer owner's sweep ends every holder of the lock and waits until they are gone
     * before it writes; a session that took the lock after that sweep finds the lane's session gone and stands down.
     */
    void join(Connection worker, Lane lane) {
        try {
            if (!worker.isWrapperFor(PGConnection.class)) {
                return;
            }
            if (lane == null) {
                throw new IbexException("sync \"" + sync + "\": no fenced session on this target to join");
            }
            boolean auto = worker.getAutoCommit();
            lock(worker);
            // the lane's lock, not only its backend: a terminated backend releases its locks before its activity row
            // goes, and it is the lock that the newer owner's sweep saw gone
            boolean laneThere = Pg.exists(worker, "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE " + holders()
                    + " AND l.granted AND l.pid = ? AND " + START_MICROS.replace("backend_start", "a.backend_start") + " = ?",
                    (int) lane.pid(), lane.startMicros());
            if (!auto) {
                worker.commit();
            }
            if (!laneThere) {
                throw new IbexException("sync \"" + sync + "\": this daemon's session on the target was ended by another daemon"
                        + " (lease epoch " + epoch + "): standing down");
            }
        } catch (SQLException e) {
            throw new IbexException("fencing the target of sync \"" + sync + "\": " + Pg.firstLine(e), e);
        }
    }

    /**
     * A session of the sync on a target of another engine (MariaDB, SQLite, Redis), before its first write: the
     * target's own fence (a row or key holding the sync's epoch, checked by each of its transactions).
     */
    void otherEngine(Target target) {
        target.fence(sync, epoch);
    }

    /** The condition on pg_locks (as l) of the sessions holding the sync's fence lock in this database. */
    private String holders() {
        return "l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " AND l.classid = " + Integer.toUnsignedLong(LOCK_CLASS) + " AND l.objid = " + Integer.toUnsignedLong(key(sync))
                + " AND l.objsubid = 2";
    }

    private void lock(Connection target) throws SQLException {
        Pg.queryString(target, "SELECT pg_advisory_lock_shared(" + LOCK_CLASS + ", " + key(sync) + ")::text");
    }

    /** Before a position moves, in the repository transaction that moves it. */
    void positions(Repository repo) {
        if (!Leases.stillMine(repo.connection(), sync, owner, epoch)) {
            throw new IbexException("sync \"" + sync + "\": this daemon lost its lease (epoch " + epoch + "): standing down");
        }
    }
}
