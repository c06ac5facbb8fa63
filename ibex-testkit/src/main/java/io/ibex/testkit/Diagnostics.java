package io.ibex.testkit;

import io.ibex.embedded.PostgresServer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What to look at when a replication test fails: runs in the repository, ibex's sessions, its threads' stacks. */
public final class Diagnostics {

    private Diagnostics() {
    }

    /**
     * The last runs in the repository, ibex's sessions on each server, and the stacks of this JVM's daemon threads
     * (an in-process daemon).
     */
    public static String of(Db repository, List<Db> dbs) {
        StringBuilder b = new StringBuilder("---- diagnostics\n");
        try (Connection c = repository.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT id, sync, target, started, ended, state, outcome, error FROM ibex.syncrun ORDER BY id DESC LIMIT 15")) {
            while (rs.next()) {
                b.append("  run ").append(rs.getLong(1)).append(' ').append(rs.getString(2)).append(" lane=").append(rs.getString(3))
                        .append(" started=").append(rs.getString(4)).append(" ended=").append(rs.getString(5)).append(" state=")
                        .append(rs.getString(6)).append(" outcome=").append(rs.getString(7)).append(" error=").append(rs.getString(8))
                        .append('\n');
            }
        } catch (SQLException | RuntimeException e) {
            b.append("  (no runs: ").append(e.getMessage()).append(")\n");
        }
        Set<PostgresServer> servers = new LinkedHashSet<>();
        servers.add(repository.server());
        dbs.forEach(d -> servers.add(d.server()));
        for (PostgresServer server : servers) {
            try (Connection c = server.connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT pid, datname, application_name, state, wait_event_type, wait_event, now() - xact_start, left(query, 120)"
                            + " FROM pg_stat_activity WHERE application_name LIKE 'ibex%'")) {
                while (rs.next()) {
                    b.append("  session on ").append(server.port()).append(": ");
                    for (int i = 1; i <= 8; i++) {
                        b.append(rs.getString(i)).append(i < 8 ? " | " : "\n");
                    }
                }
            } catch (SQLException | RuntimeException e) {
                b.append("  (no sessions on ").append(server.port()).append(": ").append(e.getMessage()).append(")\n");
            }
        }
        Thread.getAllStackTraces().forEach((t, stack) -> {
            String n = t.getName();
            if (n.startsWith("sync-") || n.startsWith("listen-") || n.startsWith(InProcessDaemon.THREAD_NAME) || n.startsWith("ibex")) {
                b.append("  thread ").append(n).append(' ').append(t.getState()).append('\n');
                for (StackTraceElement e : stack) {
                    b.append("      at ").append(e).append('\n');
                }
            }
        });
        return b.toString();
    }

    /** Errors recorded by runs of a sync (newest last). */
    public static List<String> runErrors(Db repository, String sync) throws SQLException {
        List<String> errors = new ArrayList<>();
        try (Connection c = repository.connect();
             var ps = c.prepareStatement("SELECT error FROM ibex.syncrun WHERE sync = ? AND error IS NOT NULL ORDER BY id")) {
            ps.setString(1, sync);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    errors.add(rs.getString(1));
                }
            }
        }
        return errors;
    }

    /** Backends of ibex's own sessions on a server right now (pid, database, application_name, state, query). */
    public static List<String[]> ibexBackends(Connection c) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT pid, datname, application_name, coalesce(state, ''), coalesce(query, '') FROM pg_stat_activity"
                        + " WHERE pid <> pg_backend_pid() AND (application_name IN ('ibex-daemon', 'ibex-reader', 'ibex-listener')"
                        + " OR application_name LIKE 'ibex:%')")) {
            while (rs.next()) {
                out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)});
            }
        }
        return out;
    }
}
