package io.ibex.faults;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.testkit.Convergence;
import io.ibex.testkit.Db;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.InProcessDaemon;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Histories the randomised test found diverging, made small and deterministic: a TRUNCATE on one of two sources
 * must leave every database equal, also when ibex is applying another source's rows to the truncating database at
 * the moment of the truncate.
 */
@ExtendWith(ServersPerClass.class)
class MultiSourceTruncateTest {

    @Server("17") static PostgresServer server;

    static final AtomicInteger SEQ = new AtomicInteger();

    /** Databases a and b (sources) and t (target) with ten equal rows, and a sync "ms" between them. */
    static List<Db> setup(List<Db> repoOut) throws Exception {
        int n = SEQ.incrementAndGet();
        List<Db> dbs = new ArrayList<>();
        for (String label : List.of("a", "b", "t")) {
            Db d = Db.create(label, server, "mstrunc" + n + label);
            d.exec("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT g, 'start' FROM generate_series(1, 10) g");
            dbs.add(d);
        }
        Db repo = Db.create("repository", server, "mstrunc" + n + "repo");
        Ibex ibex = IbexSetup.install(repo, dbs);
        ibex.addTables(List.of("t"), Map.of("db", "a", "relgroup", "rg"), false);
        ibex.addDbGroup("g", List.of("a:source", "b:source", "t:target"));
        ibex.addSync("ms", Map.of("relgroup", "rg", "dbs", "g"));
        repoOut.add(repo);
        return dbs;
    }

    @Test
    void aTruncateOnOneOfTwoSourcesReachesEveryDatabase() throws Exception {
        List<Db> repo = new ArrayList<>();
        List<Db> dbs = setup(repo);
        try (InProcessDaemon daemon = new InProcessDaemon(repo.get(0).spec())) {
            dbs.get(1).exec("TRUNCATE t", "INSERT INTO t VALUES (100, 'after the truncate on b')");
            Convergence.awaitAllEqual(Duration.ofSeconds(30), List.of("public.t"), dbs, repo.get(0));
            assertThat(dbs.get(2).queryLong("SELECT count(*) FROM t")).isEqualTo(1);
        }
    }

    /**
     * b truncates in a transaction that is still open while ibex applies a change of a onto b: ibex's apply waits
     * for the truncate's lock and lands its row on b after the truncate. When the truncate is replicated in the
     * next run, a and t are emptied but b keeps the row ibex put there: b differs from a and t for good.
     */
    @Test
    void aTruncateWhileIbexAppliesAnotherSourcesRowOntoTheTruncatingSource() throws Exception {
        List<Db> repo = new ArrayList<>();
        List<Db> dbs = setup(repo);
        Db a = dbs.get(0);
        Db b = dbs.get(1);
        try (InProcessDaemon daemon = new InProcessDaemon(repo.get(0).spec()); Connection truncator = b.connect();
             Connection watch = b.connect()) {
            a.exec("UPDATE t SET v = 'warm' WHERE id = 10");
            Convergence.awaitAllEqual(Duration.ofSeconds(30), List.of("public.t"), dbs, repo.get(0));
            truncator.setAutoCommit(false);
            try (Statement s = truncator.createStatement()) {
                s.execute("TRUNCATE t");
            }
            a.exec("UPDATE t SET v = 'from a' WHERE id = 1");
            // ibex's apply of a's row onto b waits for the truncate's lock
            Waits.await(Duration.ofSeconds(30), "ibex waiting on b", Waits.quietly(() -> {
                try (Statement s = watch.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 FROM pg_stat_activity WHERE datname = '"
                        + b.name() + "' AND application_name = 'ibex:ms' AND wait_event_type = 'Lock'")) {
                    return rs.next();
                }
            }));
            try (Statement s = truncator.createStatement()) {
                s.execute("INSERT INTO t VALUES (100, 'after the truncate on b')");
            }
            truncator.commit();
            Convergence.awaitAllEqual(Duration.ofSeconds(30), List.of("public.t"), dbs, repo.get(0));
        }
    }
}
