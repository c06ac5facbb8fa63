package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.repository.Leases;
import io.ibex.repository.Repository;
import io.ibex.testkit.Db;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fence on a PostgreSQL target, session by session, with two owners of one sync's lease: the new owner's lane
 * session ends every session of the old one (its lane and its workers); a worker session the old owner opens after
 * that cannot join its ended lane, and a lane session it opens fails its lease check; neither writes. The new
 * owner's workers join its lane.
 */
@ExtendWith(ServersPerClass.class)
class FenceTest {

    @Server("17") static PostgresServer server;

    @Test
    void theNewOwnersSweepEndsTheOldOwnersSessionsAndTheOldOwnerCannotWriteAgain() throws Exception {
        Db src = Db.create("src", server, "fencesrc");
        Db dst = Db.create("dst", server, "fencedst");
        Db repoDb = Db.create("repository", server, "fencerepo");
        for (Db d : List.of(src, dst)) {
            d.exec("CREATE TABLE t (id int PRIMARY KEY, v text)");
        }
        Ibex ibex = IbexSetup.install(repoDb, src, dst);
        ibex.addTables(List.of("t"), Map.of("db", "src", "relgroup", "rg"), false);
        ibex.addSync("s", Map.of("relgroup", "rg", "db", "src,dst"));

        try (Repository repo = Repository.open(repoDb.spec(), "fence-test"); Connection leases = repoDb.connect();
             Connection oldLane = dst.connect(); Connection oldWorker = dst.connect(); Connection newLane = dst.connect();
             Connection newWorker = dst.connect(); Connection lateWorker = dst.connect(); Connection lateLane = dst.connect()) {
            leases.setAutoCommit(true);
            Leases.ensureRows(leases);
            Fence old = new Fence("s", "old", Leases.acquire(leases, "s", "old", 60));
            Fence.Lane oldLaneId = old.targetSession(oldLane, repo);
            repo.commit();
            old.join(oldWorker, oldLaneId);
            write(oldLane, 1);
            write(oldWorker, 2);

            // the old owner's lease expires (it froze); another daemon takes it and opens its lane session
            try (Statement s = leases.createStatement()) {
                s.execute("UPDATE ibex.sync_lease SET expires_at = clock_timestamp() - interval '1 second' WHERE sync = 's'");
            }
            Fence next = new Fence("s", "new", Leases.acquire(leases, "s", "new", 60));
            assertThat(next.epoch()).isGreaterThan(old.epoch());
            Fence.Lane newLaneId = next.targetSession(newLane, repo);
            repo.commit();
            assertThatThrownBy(() -> write(oldLane, 3)).as("the old lane session was ended").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> write(oldWorker, 4)).as("the old worker session was ended").isInstanceOf(SQLException.class);
            next.join(newWorker, newLaneId);
            write(newLane, 5);
            write(newWorker, 6);

            // the old owner wakes: a new worker session cannot join its lane, a new lane session fails its lease check
            assertThatThrownBy(() -> old.join(lateWorker, oldLaneId)).isInstanceOf(IbexException.class)
                    .hasMessageContaining("ended by another daemon");
            assertThatThrownBy(() -> old.targetSession(lateLane, repo)).isInstanceOf(IbexException.class)
                    .hasMessageContaining("lost its lease");
            repo.rollback();
            assertThatThrownBy(() -> old.positions(repo)).isInstanceOf(IbexException.class);
            repo.rollback();
            next.positions(repo);
            repo.commit();
            assertThat(dst.queryLong("SELECT count(*) FROM t")).as("rows 1, 2, 5 and 6; none of the ended sessions").isEqualTo(4);
            assertThat(dst.queryLong("SELECT count(*) FROM t WHERE id IN (3, 4)")).isZero();
        }
    }

    private static void write(Connection c, int id) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO t VALUES (" + id + ", 'x')");
        }
    }
}
