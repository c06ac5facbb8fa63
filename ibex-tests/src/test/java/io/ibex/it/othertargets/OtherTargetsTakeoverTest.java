package io.ibex.it.othertargets;

import io.ibex.api.Ibex;
import io.ibex.embedded.PostgresServer;
import io.ibex.repository.Leases;
import io.ibex.testkit.DaemonProc;
import io.ibex.testkit.FrozenReader;
import io.ibex.testkit.Db;
import io.ibex.testkit.IbexSetup;
import io.ibex.testkit.Server;
import io.ibex.testkit.ServersPerClass;
import io.ibex.testkit.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two daemons (real processes) and one sync into a MariaDB target: its owner is frozen (SIGSTOP) with a batch read
 * but not applied, longer than its lease; the other daemon takes the sync over and applies the row images k, then
 * k+1; the frozen daemon is continued with its batch of k in hand. The target's fence refuses that batch (its
 * transaction finds the newer epoch): every row keeps k+1, and ibex verify is clean.
 */
@ExtendWith(ServersPerClass.class)
class OtherTargetsTakeoverTest {

    @Server("17") static PostgresServer server;

    static final int MARKS = 10;

    @Test
    void aFrozenOwnerContinuedAfterATakeoverAppliesNothingToMariaDb() throws Exception {
        Db src = Db.create("src", server, "otksrc");
        Db repo = Db.create("repository", server, "otkrepo");
        src.exec("CREATE TABLE mark (id int PRIMARY KEY, v int NOT NULL)", "INSERT INTO mark SELECT g, 0 FROM generate_series(1, " + MARKS + ") g");
        try (MariaDb maria = new MariaDb()) {
            Ibex ibex = IbexSetup.install(repo, List.of(src));
            ibex.addDatabase("maria", maria.params(), false);
            ibex.set("lease_seconds", "5");
            ibex.addTables(List.of("mark"), Map.of("db", "src", "relgroup", "g"), false);
            ibex.addSync("s", Map.of("relgroup", "g", "db", "src,maria", "onetimecopy", "1"));
            DaemonProc alpha = new DaemonProc(repo, Files.createTempDirectory("ibex-otk-alpha"), "alpha");
            DaemonProc beta = new DaemonProc(repo, Files.createTempDirectory("ibex-otk-beta"), "beta");
            try {
                alpha.start();
                beta.start();
                Waits.await(Duration.ofSeconds(60), "the copy into MariaDB", Waits.quietly(() -> maria.count("mark") == MARKS));
                String owner = owner(ibex).orElseThrow();
                DaemonProc frozen = owner.equals("alpha") ? alpha : beta;

                int k = 0;
                boolean caught = false;
                for (int attempt = 0; attempt < 8 && !caught; attempt++) {
                    k = 100 + attempt;
                    src.exec("UPDATE mark SET v = " + k);
                    caught = FrozenReader.freezeWhileReading(src, "mark", frozen);
                }
                assertThat(caught).as("the owner's reader caught waiting for mark").isTrue();
                Waits.await(Duration.ofSeconds(30), "another daemon runs s", Waits.quietly(() ->
                        owner(ibex).filter(o -> !o.equals(owner)).isPresent()));
                int applied = k;
                Waits.await(Duration.ofSeconds(30), "the new owner applied " + k, Waits.quietly(() -> rowsAt(maria, applied) == MARKS));
                int newer = k + 1;
                src.exec("UPDATE mark SET v = " + newer);
                Waits.await(Duration.ofSeconds(30), "the new owner applied " + newer, Waits.quietly(() -> rowsAt(maria, newer) == MARKS));

                String stale = FrozenReader.thawAndAwaitStandDown(frozen, "s");
                System.out.println("takeover into MariaDB: the frozen daemon's log after SIGCONT:\n" + stale);
                assertThat(rowsAt(maria, newer)).as("no row went back to the older image " + k).isEqualTo(MARKS);
                assertThat(stale).doesNotContain("KID (s) Totals");
                Ibex.Verification v = ibex.verify("s", List.of(), 10, (t, target, done, total) -> { });
                assertThat(v.identical()).as("verify: %s", v).isTrue();
                try (Connection c = maria.connect(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT epoch FROM ibex_fence WHERE sync = 's'")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).as("the fence holds the new owner's epoch").isGreaterThan(1);
                }
            } finally {
                alpha.stop();
                beta.stop();
            }
        }
    }

    private static Optional<String> owner(Ibex ibex) {
        return ibex.leases().stream().filter(Leases.Lease::held).filter(l -> l.sync().equals("s")).map(Leases.Lease::owner).findFirst();
    }

    private static long rowsAt(MariaDb maria, int v) throws Exception {
        try (Connection c = maria.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM mark WHERE v = " + v)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
