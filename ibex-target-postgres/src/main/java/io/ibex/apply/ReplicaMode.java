package io.ibex.apply;

import io.ibex.db.Pg;
import io.ibex.db.Sql;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * How a target's triggers and foreign-key checks are held off during an apply. Managed databases (RDS) forbid
 * SET session_replication_role to ordinary roles; a security-definer function named in the database's options
 * can do it for them.
 */
public interface ReplicaMode {

    void apply(Connection c) throws SQLException;

    String describe();

    /** Undoes a session-level setting (the function form sets it for the session); a no-op by default. */
    default void reset(Connection c) throws SQLException {
    }

    /** SET LOCAL session_replication_role = replica: a superuser, or PostgreSQL 15+ with GRANT SET ON PARAMETER. */
    ReplicaMode SET_ROLE = new ReplicaMode() {
        @Override
        public void apply(Connection c) throws SQLException {
            Pg.exec(c, "SET LOCAL session_replication_role = replica");
        }

        @Override
        public String describe() {
            return "SET session_replication_role";
        }
    };

    /** A security-definer function such as the walkthrough's rds_session_replication_role('replica'). */
    static ReplicaMode function(String qualifiedName) {
        return new ReplicaMode() {
            @Override
            public void apply(Connection c) throws SQLException {
                String[] parts = qualifiedName.split("\\.", 2);
                String fn = parts.length == 2 ? Sql.qualified(parts[0], parts[1]) : Sql.ident(parts[0]);
                Pg.queryString(c, "SELECT " + fn + "('replica')");
            }

            @Override
            public void reset(Connection c) throws SQLException {
                String[] parts = qualifiedName.split("\\.", 2);
                String fn = parts.length == 2 ? Sql.qualified(parts[0], parts[1]) : Sql.ident(parts[0]);
                Pg.queryString(c, "SELECT " + fn + "('origin')");
                c.commit();
            }

            @Override
            public String describe() {
                return "function " + qualifiedName + "()";
            }
        };
    }

    /** Nothing held off: the target's triggers and foreign keys fire. Only when the user opts in. */
    ReplicaMode NONE = new ReplicaMode() {
        @Override
        public void apply(Connection c) {
        }

        @Override
        public String describe() {
            return "none (target triggers and foreign keys fire)";
        }
    };
}
