package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.db.Pg;
import io.ibex.repository.Leases;
import io.ibex.repository.Repository;
import org.postgresql.PGConnection;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.zip.CRC32;

/**
 * What keeps a daemon that lost a sync's lease without knowing it from writing (see docs/design.md, "Several daemons:
 * leases and fencing"). On each PostgreSQL target session of the sync: a session advisory lock on the sync's key in
 * shared mode, then every other session holding that key on the target terminated (and waited for), then the lease
 * checked in the repository; all before the session's first write. A position moves only while the lease is this
 * daemon's under the epoch it won.
 */
class Fence {

    /** No fencing: a runner outside a daemon (tests, benchmarks, the embedded API with one daemon). */
    static final Fence NONE = new Fence(null, null, 0) {
        @Override
        void targetSession(Connection target, Repository repo) {
        }

        @Override
        void positions(Repository repo) {
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

    /** A new target session, before its first write; a session of another engine is left alone. */
    void targetSession(Connection target, Repository repo) {
        try {
            if (!target.isWrapperFor(PGConnection.class)) {
                return;
            }
            boolean auto = target.getAutoCommit();
            int k = key(sync);
            Pg.queryString(target, "SELECT pg_advisory_lock_shared(" + LOCK_CLASS + ", " + k + ")::text");
            String others = "FROM pg_locks l WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database"
                    + " WHERE datname = current_database()) AND l.classid = " + Integer.toUnsignedLong(LOCK_CLASS)
                    + " AND l.objid = " + Integer.toUnsignedLong(k) + " AND l.objsubid = 2 AND l.pid <> pg_backend_pid()";
            Pg.queryString(target, "SELECT count(pg_terminate_backend(l.pid))::text " + others);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (Pg.exists(target, "SELECT 1 " + others)) {
                if (System.nanoTime() > deadline) {
                    throw new IbexException("sync \"" + sync + "\": another daemon's session on the target would not end");
                }
                if (!auto) {
                    target.commit();
                }
                Thread.sleep(50);
            }
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
    }

    /** Before a position moves, in the repository transaction that moves it. */
    void positions(Repository repo) {
        if (!Leases.stillMine(repo.connection(), sync, owner, epoch)) {
            throw new IbexException("sync \"" + sync + "\": this daemon lost its lease (epoch " + epoch + "): standing down");
        }
    }
}
