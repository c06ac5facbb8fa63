package io.ibex.bench;

import io.ibex.db.Pg;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What the capture triggers cost one statement, measured inside the server: a procedure updates one pgbench_accounts
 * row and commits, many times over, with no client round trip and no WAL flush (synchronous_commit off) in the time.
 * Run once on a database without capture and once on one with it, the difference is the triggers' own CPU time per
 * statement, without the client, the network and the noise of a loaded machine that the tps figures carry.
 * Procedures that commit need PostgreSQL 11.
 */
final class UpdateLoop {

    static final int SINCE_MAJOR = 11;
    private static final String PROCEDURE = "ibex_bench_update_loop";

    private UpdateLoop() {
    }

    static boolean supported(Connection c) throws SQLException {
        return Pg.serverVersion(c) >= SINCE_MAJOR * 10000;
    }

    /** The procedure, in the connection's database (rows from a random start, each its own transaction). */
    static String procedureSql() {
        return "CREATE OR REPLACE PROCEDURE " + PROCEDURE + "(n integer, INOUT us_each double precision DEFAULT NULL) LANGUAGE plpgsql AS $p$\n"
                + "DECLARE\n  started timestamptz;\n  first integer;\n"
                + "BEGIN\n"
                + "  SELECT (random() * greatest(max(aid) - n, 0))::integer INTO first FROM pgbench_accounts;\n"
                + "  COMMIT;\n"
                + "  started := clock_timestamp();\n"
                + "  FOR i IN 1..n LOOP\n"
                + "    UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = first + i;\n"
                + "    COMMIT;\n"
                + "  END LOOP;\n"
                + "  us_each := extract(epoch FROM clock_timestamp() - started) * 1000000 / n;\n"
                + "END\n$p$";
    }

    /** Creates (or replaces) the procedure in the connection's database. */
    static void install(Connection c) throws SQLException {
        Pg.exec(c, procedureSql());
    }

    /**
     * Microseconds per one-row UPDATE and its commit, over n of them, with the procedure {@link #install}ed; the
     * connection must be in autocommit.
     */
    static double microsEach(Connection c, int n) throws SQLException {
        Pg.exec(c, "SET synchronous_commit = off");
        // CALL returns the INOUT parameters as a row
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("CALL " + PROCEDURE + "(" + n + ", NULL)")) {
            rs.next();
            return rs.getDouble(1);
        } finally {
            Pg.exec(c, "RESET synchronous_commit");
        }
    }
}
