package io.ibex.testkit;

import io.ibex.workload.Pgbench;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** The load the replication tests share: pgbench's bank on the source, its empty tables on the target. */
public final class Bank {

    /** The tables pgbench writes and a sync replicates (pgbench_history has no key). */
    public static final List<String> TABLES = List.of("public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers");

    private Bank() {
    }

    /** pgbench -i on the source, pg_dump --schema-only of it on the target. */
    public static void initialize(Connection source, Connection target, int branches, int tellers, int accounts) throws SQLException {
        Pgbench.initialize(source, branches, tellers, accounts);
        Pgbench.createSchemaOnly(target);
    }

    public static void initialize(Db source, Db target, int branches, int tellers, int accounts) throws SQLException {
        try (Connection s = source.connect(); Connection t = target.connect()) {
            initialize(s, t, branches, tellers, accounts);
        }
    }

    public static void initialize(Replication r, int branches, int tellers, int accounts) throws SQLException {
        try (Connection s = r.source(); Connection t = r.target()) {
            initialize(s, t, branches, tellers, accounts);
        }
    }
}
