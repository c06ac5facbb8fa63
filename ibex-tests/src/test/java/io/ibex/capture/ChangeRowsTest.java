package io.ibex.capture;

import io.ibex.catalog.SourceCatalog;
import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.embedded.PostgresServer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A change table made before bulk rows existed (no array columns, a trigger that writes one key a row) is read as
 * it is; capture installed again adds the columns and the bulk trigger, and both kinds of row are read as keys.
 */
class ChangeRowsTest {

    @Test
    void aChangeTableWithoutArrayColumnsIsReadAsBeforeAndUpgradedByAReinstall() throws Exception {
        try (PostgresServer server = PostgresServer.start("17")) {
            server.createDatabase("cr");
            try (Connection c = server.connect("cr")) {
                Pg.exec(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
                TableInfo info = SourceCatalog.table(c, "public", "t").orElseThrow();
                CaptureInstaller.Names names = CaptureInstaller.names("public", "t");
                c.setAutoCommit(false);
                CaptureInstaller.install(c, info, false);
                // as an earlier ibex left it: no array columns, one key a row whatever the statement's size
                Pg.exec(c, "ALTER TABLE " + names.qualifiedDelta() + " DROP COLUMN " + CaptureInstaller.bulkColumn(1)
                        + ", DROP COLUMN " + CaptureInstaller.BULK_ROWS);
                Pg.exec(c, CaptureInstaller.statementFunctionSql(info, names, false, false));
                c.commit();
                c.setAutoCommit(true);
                Pg.exec(c, "INSERT INTO t SELECT g, 'a' FROM generate_series(1, 500) g");
                assertThat(keysAndCount(c)).containsExactly(500L, 500L);

                c.setAutoCommit(false);
                CaptureInstaller.install(c, info, false);
                c.commit();
                c.setAutoCommit(true);
                Pg.exec(c, "INSERT INTO t SELECT g, 'b' FROM generate_series(501, 1200) g");
                Pg.exec(c, "UPDATE t SET v = 'c' WHERE id <= 10");
                assertThat(Pg.queryLong(c, "SELECT count(*) FROM " + names.qualifiedDelta() + " WHERE " + CaptureInstaller.BULK_ROWS
                        + " IS NOT NULL")).as("rows with arrays of keys").isEqualTo(1);
                // the 700-row INSERT: its first 100 keys one a row, then all 700 in an array row
                assertThat(Pg.queryLong(c, "SELECT count(*) FROM " + names.qualifiedDelta() + " WHERE " + CaptureInstaller.BULK_ROWS
                        + " IS NULL AND id > 500")).as("one-key rows of the big statement").isEqualTo(CaptureInstaller.BULK_MIN_ROWS);
                assertThat(keysAndCount(c)).containsExactly(1200L, 500L + 700 + CaptureInstaller.BULK_MIN_ROWS + 10);
            }
        }
    }

    /** The distinct keys and the number of key changes recorded, as the daemon reads them. */
    private static long[] keysAndCount(Connection c) throws Exception {
        ChangeRows rows = ChangeRows.of(c, "public", "t");
        String all = "ibex_txid > 0";
        long keys = Pg.queryLong(c, "SELECT count(DISTINCT id) FROM " + rows.relation(java.util.List.of("id"), all));
        long count = Pg.queryLong(c, "SELECT " + rows.count(all, 0));
        return new long[] {keys, count};
    }
}
