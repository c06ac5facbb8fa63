package io.ibex.workload;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import static io.ibex.workload.Pgbench.ACCOUNTS;
import static io.ibex.workload.Pgbench.BRANCHES;
import static io.ibex.workload.Pgbench.HISTORY;
import static io.ibex.workload.Pgbench.TELLERS;
import static io.ibex.workload.Pgbench.table;

/** One client of {@link Pgbench.Load}: its connection and the prepared statements of the TPC-B-like transaction. */
final class PgbenchSession {
    private final Connection c;
    private final PreparedStatement updateAccount;
    private final PreparedStatement selectAccount;
    private final PreparedStatement updateTeller;
    private final PreparedStatement updateBranch;
    /** Null for a load without history. */
    private final PreparedStatement insertHistory;

    PgbenchSession(Connection c, boolean history) throws SQLException {
        this.c = c;
        try {
            c.setAutoCommit(false);
            updateAccount = c.prepareStatement("UPDATE " + table(ACCOUNTS)
                    + " SET \"abalance\" = \"abalance\" + ? WHERE \"aid\" = ?");
            selectAccount = c.prepareStatement("SELECT \"abalance\" FROM " + table(ACCOUNTS)
                    + " WHERE \"aid\" = ?");
            updateTeller = c.prepareStatement("UPDATE " + table(TELLERS)
                    + " SET \"tbalance\" = \"tbalance\" + ? WHERE \"tid\" = ?");
            updateBranch = c.prepareStatement("UPDATE " + table(BRANCHES)
                    + " SET \"bbalance\" = \"bbalance\" + ? WHERE \"bid\" = ?");
            insertHistory = history ? c.prepareStatement("INSERT INTO " + table(HISTORY)
                    + " (\"tid\", \"bid\", \"aid\", \"delta\", \"mtime\") VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)") : null;
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    void run(int aid, int tid, int bid, int delta) throws SQLException {
        updateAccount.setInt(1, delta);
        updateAccount.setInt(2, aid);
        updateAccount.executeUpdate();
        selectAccount.setInt(1, aid);
        try (ResultSet rs = selectAccount.executeQuery()) {
            rs.next();
        }
        updateTeller.setInt(1, delta);
        updateTeller.setInt(2, tid);
        updateTeller.executeUpdate();
        updateBranch.setInt(1, delta);
        updateBranch.setInt(2, bid);
        updateBranch.executeUpdate();
        if (insertHistory != null) {
            insertHistory.setInt(1, tid);
            insertHistory.setInt(2, bid);
            insertHistory.setInt(3, aid);
            insertHistory.setInt(4, delta);
            insertHistory.executeUpdate();
        }
        c.commit();
    }

    /** Rolls back after {@code e}; returns true if the connection is unusable. */
    boolean rollbackBroken(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P")) {
            return true;
        }
        try {
            c.rollback();
            return c.isClosed();
        } catch (SQLException rollbackFailed) {
            return true;
        }
    }

    void close() {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the connection is being discarded
        }
    }
}
