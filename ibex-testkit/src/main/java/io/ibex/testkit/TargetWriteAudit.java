package io.ibex.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Which daemon process committed which write on a target, to prove fencing: a statement trigger (ENABLE ALWAYS, so
 * that it fires under session_replication_role = replica too) notes each committed write statement's client port and
 * time in {@code ibex_audit.writes} on the target; a sampler reads, every 20 ms, which local TCP ports each daemon
 * process holds (/proc), so that a port maps back to a daemon. A rolled-back write leaves no row.
 */
public final class TargetWriteAudit implements AutoCloseable {

    /** One committed write statement on the target. */
    public record Write(Instant at, int port, String table) {
    }

    private final Db target;
    private final Map<String, Set<Integer>> portsByDaemon = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final Thread sampler;

    private TargetWriteAudit(Db target, List<DaemonProc> daemons) {
        this.target = target;
        daemons.forEach(d -> portsByDaemon.put(d.name(), ConcurrentHashMap.newKeySet()));
        sampler = new Thread(() -> {
            while (!closed) {
                for (DaemonProc d : daemons) {
                    long pid = d.pid();
                    if (pid > 0) {
                        portsByDaemon.get(d.name()).addAll(localPorts(pid));
                    }
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "target-write-audit");
        sampler.setDaemon(true);
    }

    /** Installs the triggers on these tables of the target and starts sampling the daemons' ports. */
    public static TargetWriteAudit start(Db target, List<String> tables, List<DaemonProc> daemons) throws SQLException {
        target.exec("CREATE SCHEMA ibex_audit",
                "CREATE TABLE ibex_audit.writes (at timestamptz NOT NULL, port int, tbl text)",
                "CREATE FUNCTION ibex_audit.note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO ibex_audit.writes VALUES (clock_timestamp(), inet_client_port(), TG_TABLE_NAME); RETURN NULL; END $$");
        for (String t : tables) {
            target.exec("CREATE TRIGGER ibex_audit_writes AFTER INSERT OR UPDATE OR DELETE ON " + t
                    + " FOR EACH STATEMENT EXECUTE PROCEDURE ibex_audit.note()", "ALTER TABLE " + t + " ENABLE ALWAYS TRIGGER ibex_audit_writes");
        }
        TargetWriteAudit audit = new TargetWriteAudit(target, daemons);
        audit.sampler.start();
        return audit;
    }

    /**
     * Forgets the ports seen so far; those still open are seen again within a sampling period. Called before each
     * fault of a long series, where the ephemeral ports of earlier runs come round again under another daemon.
     */
    public void forgetPorts() throws InterruptedException {
        portsByDaemon.values().forEach(Set::clear);
        Thread.sleep(100);
    }

    /**
     * The committed writes whose client port the daemon held, after this instant. A port that another daemon held
     * too (an ephemeral port used again) is left out: it names no one.
     */
    public List<Write> writesBy(String daemon, Instant after) throws SQLException {
        Set<Integer> ports = new HashSet<>(portsByDaemon.get(daemon));
        portsByDaemon.forEach((other, theirs) -> {
            if (!other.equals(daemon)) {
                ports.removeAll(theirs);
            }
        });
        List<Write> out = new ArrayList<>();
        try (Connection c = target.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT at, port, tbl FROM ibex_audit.writes WHERE at > ? ORDER BY at")) {
            ps.setTimestamp(1, Timestamp.from(after));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (ports.contains(rs.getInt(2))) {
                        out.add(new Write(rs.getTimestamp(1).toInstant(), rs.getInt(2), rs.getString(3)));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The fencing property: no write by the daemon that lost the lease once the daemon that took it has written (a
     * stale batch committed before the new owner's first write is harmless: the new owner starts from the positions
     * the old one could not store, and writes the newest images over it). Returns the offending writes.
     */
    public List<Write> writesByOldAfterNewOwnerStarted(String oldOwner, String newOwner, Instant fault) throws SQLException {
        List<Write> fresh = writesBy(newOwner, fault);
        if (fresh.isEmpty()) {
            throw new AssertionError("no write on the target by " + newOwner + " since the fault: the fencing cannot be judged");
        }
        return writesBy(oldOwner, fresh.get(0).at());
    }

    /** The local ports of the process's TCP sockets, from /proc (IPv4 and IPv6). */
    static Set<Integer> localPorts(long pid) {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            fds.forEach(fd -> {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        inodes.add(link.substring(8, link.length() - 1));
                    }
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            });
        } catch (IOException e) {
            return Set.of(); // the process is gone
        }
        Set<Integer> ports = new HashSet<>();
        for (String table : List.of("tcp", "tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "net", table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && inodes.contains(f[9])) {
                        String local = f[1];
                        ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
                    }
                }
            } catch (IOException e) {
                if (!(e instanceof java.nio.file.NoSuchFileException)) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return ports;
    }

    @Override
    public void close() {
        closed = true;
        sampler.interrupt();
    }
}
