package io.ibex.apply;

import io.ibex.IbexException;
import io.ibex.db.Pg;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Finds out, per target database, how ibex may hold off the target's triggers and foreign-key checks, trying in
 * order: SET session_replication_role (a superuser, or PostgreSQL 15+ after GRANT SET ON PARAMETER), the
 * security-definer function named in the database's replica_function option, and, only if the user opted in
 * with replica_mode=none, nothing. Each try runs in a transaction that is rolled back.
 */
public final class ReplicaModes {
    private ReplicaModes() {
    }

    /** The SQL an administrator runs on a managed target to let {@code role} apply through a function. */
    public static String functionSql(String role) {
        String r = io.ibex.db.Sql.ident(role);
        return """
                -- Run as a role that may set session_replication_role (on RDS: the master user, a member of rds_superuser).
                CREATE OR REPLACE FUNCTION public.ibex_replication_role(role text) RETURNS text
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
                DECLARE
                    curr text;
                BEGIN
                    IF role NOT IN ('replica', 'origin') THEN
                        RAISE EXCEPTION 'session_replication_role may only be set to replica or origin here';
                    END IF;
                    EXECUTE 'SET session_replication_role = ' || quote_literal(role);
                    EXECUTE 'SHOW session_replication_role' INTO curr;
                    RETURN curr;
                END
                $$;
                REVOKE ALL ON FUNCTION public.ibex_replication_role(text) FROM PUBLIC;
                GRANT EXECUTE ON FUNCTION public.ibex_replication_role(text) TO %s;
                -- then: ibex update db NAME replica_function=public.ibex_replication_role
                -- On PostgreSQL 15 and later this is simpler: GRANT SET ON PARAMETER session_replication_role TO %s;
                """.formatted(r, r);
    }

    /** Detects the mode for one target; throws a one-line explanation if there is none and the user did not opt in. */
    public static ReplicaMode detect(Connection c, String dbName, String replicaFunction, String replicaModeOption) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            if (works(c, "SET LOCAL session_replication_role = replica")) {
                return ReplicaMode.SET_ROLE;
            }
            if (replicaFunction != null && !replicaFunction.isBlank()) {
                ReplicaMode f = ReplicaMode.function(replicaFunction);
                try {
                    f.apply(c);
                    c.rollback();
                    ReplicaMode.function(replicaFunction).reset(c);
                    return f;
                } catch (SQLException e) {
                    c.rollback();
                    throw new IbexException("database \"" + dbName + "\": the replica_function " + replicaFunction + " does not work: "
                            + Pg.firstLine(e) + " (run 'ibex sql replica_function' for the SQL that creates it)");
                }
            }
            if ("none".equals(replicaModeOption)) {
                return ReplicaMode.NONE;
            }
            String user = Pg.queryString(c, "SELECT current_user");
            c.rollback();
            boolean pg15 = Pg.serverVersion(c) >= 150000;
            throw new IbexException("database \"" + dbName + "\": role " + user + " may not set session_replication_role, so an apply "
                    + "would fire the target's triggers and foreign-key checks; fix it with "
                    + (pg15 ? "'GRANT SET ON PARAMETER session_replication_role TO " + user + "' (as a superuser), or " : "")
                    + "the function printed by 'ibex sql replica_function " + user + "' and 'ibex update db " + dbName
                    + " replica_function=public.ibex_replication_role', or accept it with 'ibex update db " + dbName + " replica_mode=none'");
        } finally {
            c.rollback();
            c.setAutoCommit(auto);
        }
    }

    private static boolean works(Connection c, String sql) throws SQLException {
        Pg.exec(c, "SAVEPOINT ibex_probe");
        try {
            Pg.exec(c, sql);
            Pg.exec(c, "RELEASE SAVEPOINT ibex_probe");
            return true;
        } catch (SQLException e) {
            Pg.exec(c, "ROLLBACK TO SAVEPOINT ibex_probe");
            return false;
        }
    }
}
