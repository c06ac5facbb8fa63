package io.ibex.repository;

import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.RelGroup;
import io.ibex.model.Relation;
import io.ibex.model.Role;
import io.ibex.model.Sync;
import io.ibex.model.SyncRun;
import io.ibex.IbexException;
import io.ibex.db.ConnectionSpec;
import io.ibex.db.Pg;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ibex's own configuration and run history, in schema {@code ibex} of the control database. Every method runs in
 * the caller's transaction: the connection is not autocommit, and a command calls {@link #commit()} once at the
 * end, so that a failed command leaves nothing half-done.
 */
public class Repository implements AutoCloseable {

    /** The schema version this code needs (see {@link Migrations}). */
    public static final int SCHEMA_VERSION = Migrations.LATEST;

    private final Connection c;
    private final ConnectionSpec spec;

    private Repository(Connection c, ConnectionSpec spec) {
        this.c = c;
        this.spec = spec;
    }

    public static Repository open(ConnectionSpec spec, String applicationName) {
        Connection c = spec.openOrFail(applicationName, "the ibex repository database \"" + spec.dbname() + "\"");
        try {
            // Nothing here needs a synchronous commit: run history may lose its last lines in a crash, and a position
            // that goes back re-applies changes the target has, which is harmless (docs/design.md). It saves a WAL
            // flush per batch on the repository's server.
            Pg.exec(c, "SET synchronous_commit = off");
            c.setAutoCommit(false);
            return new Repository(c, spec);
        } catch (SQLException e) {
            Pg.closeQuietly(c);
            throw fail(e);
        }
    }

    public ConnectionSpec spec() {
        return spec;
    }

    /** The raw connection, for LISTEN and advisory locks in the daemon. */
    public Connection connection() {
        return c;
    }

    static IbexException fail(SQLException e) {
        return new IbexException("repository: " + Pg.firstLine(e), e);
    }

    public void commit() {
        try {
            c.commit();
        } catch (SQLException e) {
            throw fail(e);
        }
    }

    public void rollback() {
        Pg.rollbackQuietly(c);
    }

    @Override
    public void close() {
        rollback();
        Pg.closeQuietly(c);
    }

    // ---------------------------------------------------------------- install and version

    public boolean isInstalled() {
        return call(() -> Pg.exists(c, "SELECT 1 FROM pg_namespace n JOIN pg_class r ON r.relnamespace = n.oid "
                + "WHERE n.nspname = 'ibex' AND r.relname = 'meta'"));
    }

    /** Creates the schema at this release's version; false if it is there already (then nothing is changed). */
    public boolean install() {
        if (isInstalled()) {
            return false;
        }
        return call(() -> {
            Migrations.install(c);
            c.commit();
            return true;
        });
    }

    /** Fails with a clear message unless the repository is installed with the schema this release expects. */
    public Repository requireInstalled() {
        int v = installedVersion();
        if (v != SCHEMA_VERSION) {
            throw versionMismatch(v);
        }
        return this;
    }

    /**
     * Brings an older repository to this release's schema version, each migration in its own transaction;
     * returns the version it had. Fails on a repository that is not installed or is newer than this release.
     */
    public int upgrade() {
        int from = installedVersion();
        if (from > SCHEMA_VERSION) {
            throw versionMismatch(from);
        }
        call(() -> {
            Migrations.upgrade(c);
            return null;
        });
        return from;
    }

    /** The schema version of the installed repository; fails with a clear message when it is not installed. */
    public int installedVersion() {
        if (!isInstalled()) {
            throw new IbexException("the ibex repository is not installed in database \"" + spec.dbname()
                    + "\" (" + spec.describe() + "): run 'ibex install' first");
        }
        return schemaVersion();
    }

    private IbexException versionMismatch(int v) {
        return new IbexException("the ibex repository in database \"" + spec.dbname() + "\" has schema version " + v
                + " but this ibex needs version " + SCHEMA_VERSION + (v < SCHEMA_VERSION
                ? ": run 'ibex upgrade' (with the daemon stopped)"
                : ": it was upgraded by a newer ibex, so run that release (or a newer one)"));
    }

    public int schemaVersion() {
        return call(() -> Integer.parseInt(Pg.queryString(c, "SELECT value FROM ibex.meta WHERE key = 'schema_version'")));
    }

    public OffsetDateTime now() {
        return call(() -> {
            try (var ps = c.prepareStatement("SELECT clock_timestamp()"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, OffsetDateTime.class);
            }
        });
    }

    public void notify(String channel, String payload) {
        call(() -> Pg.queryString(c, "SELECT pg_notify(?, ?)", channel, payload));
    }

    // ---------------------------------------------------------------- databases

    public void addDatabase(Database d) {
        call(() -> Pg.update(c, "INSERT INTO ibex.db (name, dbtype, dbhost, dbport, dbname, dbuser, dbpass, status, makedelta, "
                        + "replica_function, replica_mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", d.name(), d.type(), d.host(), d.port(),
                d.dbname(), d.user(), d.password(), d.status(), d.makedelta(), d.replicaFunction(), d.replicaMode()));
    }

    public Optional<Database> database(String name) {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.db WHERE name = ?", Repository::database, name)).stream().findFirst();
    }

    public Database requireDatabase(String name) {
        return database(name).orElseThrow(() -> new IbexException("there is no database named \"" + name + "\""));
    }

    public List<Database> databases() {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.db ORDER BY name", Repository::database));
    }

    private static Database database(ResultSet rs) throws SQLException {
        return new Database(rs.getString("name"), rs.getString("dbtype"), rs.getString("dbhost"), rs.getInt("dbport"),
                rs.getString("dbname"), rs.getString("dbuser"), rs.getString("dbpass"), rs.getString("status"),
                rs.getBoolean("makedelta"), rs.getString("replica_function"), rs.getString("replica_mode"));
    }

    /** column is one of the db table's columns, checked by the caller against a fixed list. */
    public void updateDatabase(String name, String column, Object value) {
        call(() -> Pg.update(c, "UPDATE ibex.db SET " + io.ibex.db.Sql.ident(column) + " = ? WHERE name = ?", value, name));
    }

    public void removeDatabase(String name) {
        call(() -> Pg.update(c, "DELETE FROM ibex.db WHERE name = ?", name));
    }

    // ---------------------------------------------------------------- relations

    public long addRelation(Relation r) {
        return call(() -> {
            try (var ps = c.prepareStatement("INSERT INTO ibex.relation (db, schemaname, relname, reltype, key_columns, key_types) "
                    + "VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
                ps.setString(1, r.db());
                ps.setString(2, r.schema());
                ps.setString(3, r.name());
                ps.setString(4, r.type());
                ps.setArray(5, c.createArrayOf("text", r.keyColumns().toArray()));
                ps.setArray(6, c.createArrayOf("text", r.keyTypes().toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    public Optional<Relation> relation(String db, String schema, String name) {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.relation WHERE db = ? AND schemaname = ? AND relname = ?",
                Repository::relation, db, schema, name)).stream().findFirst();
    }

    public List<Relation> relations() {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.relation ORDER BY db, schemaname, relname", Repository::relation));
    }

    public void updateRelation(long id, String column, Object value) {
        call(() -> Pg.update(c, "UPDATE ibex.relation SET " + io.ibex.db.Sql.ident(column) + " = ? WHERE id = ?", value, id));
    }

    public void removeRelation(long id) {
        call(() -> {
            Pg.update(c, "DELETE FROM ibex.relgroup_member WHERE relation = ?", (int) id);
            return Pg.update(c, "DELETE FROM ibex.relation WHERE id = ?", (int) id);
        });
    }

    private static Relation relation(ResultSet rs) throws SQLException {
        return new Relation(rs.getLong("id"), rs.getString("db"), rs.getString("schemaname"), rs.getString("relname"),
                rs.getString("reltype"), strings(rs.getArray("key_columns")), strings(rs.getArray("key_types")),
                (Boolean) rs.getObject("autokick"), (Boolean) rs.getObject("makedelta"),
                (Integer) rs.getObject("rebuild_index"), (Boolean) rs.getObject("analyze_after_copy"));
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : Arrays.asList((String[]) a.getArray());
    }

    // ---------------------------------------------------------------- relgroups

    public boolean relGroupExists(String name) {
        return call(() -> Pg.exists(c, "SELECT 1 FROM ibex.relgroup WHERE name = ?", name));
    }

    public void createRelGroup(String name) {
        call(() -> Pg.update(c, "INSERT INTO ibex.relgroup (name) VALUES (?)", name));
    }

    /** false if the relation was a member already. */
    public boolean addToRelGroup(String relgroup, long relationId) {
        return call(() -> {
            if (Pg.exists(c, "SELECT 1 FROM ibex.relgroup_member WHERE relgroup = ? AND relation = ?", relgroup, (int) relationId)) {
                return false;
            }
            Pg.update(c, "INSERT INTO ibex.relgroup_member (relgroup, relation) VALUES (?, ?)", relgroup, (int) relationId);
            return true;
        });
    }

    public void removeFromRelGroup(String relgroup, long relationId) {
        call(() -> Pg.update(c, "DELETE FROM ibex.relgroup_member WHERE relgroup = ? AND relation = ?", relgroup, (int) relationId));
    }

    public Optional<RelGroup> relGroup(String name) {
        if (!relGroupExists(name)) {
            return Optional.empty();
        }
        List<Relation> members = call(() -> Pg.query(c, "SELECT r.* FROM ibex.relation r JOIN ibex.relgroup_member m ON m.relation = r.id "
                + "WHERE m.relgroup = ? ORDER BY m.priority, r.schemaname, r.relname", Repository::relation, name));
        return Optional.of(new RelGroup(name, members));
    }

    public RelGroup requireRelGroup(String name) {
        return relGroup(name).orElseThrow(() -> new IbexException("there is no relgroup named \"" + name + "\""));
    }

    public List<RelGroup> relGroups() {
        List<String> names = call(() -> Pg.query(c, "SELECT name FROM ibex.relgroup ORDER BY name", rs -> rs.getString(1)));
        List<RelGroup> out = new ArrayList<>();
        for (String n : names) {
            out.add(requireRelGroup(n));
        }
        return out;
    }

    public List<String> relGroupsOf(long relationId) {
        return call(() -> Pg.query(c, "SELECT relgroup FROM ibex.relgroup_member WHERE relation = ? ORDER BY relgroup",
                rs -> rs.getString(1), (int) relationId));
    }

    public void removeRelGroup(String name) {
        call(() -> Pg.update(c, "DELETE FROM ibex.relgroup WHERE name = ?", name));
    }

    // ---------------------------------------------------------------- dbgroups

    public void createDbGroup(DbGroup g) {
        call(() -> {
            Pg.update(c, "INSERT INTO ibex.dbgroup (name) VALUES (?)", g.name());
            int priority = 0;
            for (DbGroup.Member m : g.members()) {
                Pg.update(c, "INSERT INTO ibex.dbgroup_member (dbgroup, db, role, priority) VALUES (?, ?, ?, ?)",
                        g.name(), m.db(), m.role().label(), priority++);
            }
            return null;
        });
    }

    public void setDbGroupMember(String dbgroup, DbGroup.Member m) {
        call(() -> {
            if (Pg.update(c, "UPDATE ibex.dbgroup_member SET role = ? WHERE dbgroup = ? AND db = ?", m.role().label(), dbgroup, m.db()) == 0) {
                Pg.update(c, "INSERT INTO ibex.dbgroup_member (dbgroup, db, role, priority) "
                        + "SELECT ?, ?, ?, coalesce(max(priority) + 1, 0) FROM ibex.dbgroup_member WHERE dbgroup = ?",
                        dbgroup, m.db(), m.role().label(), dbgroup);
            }
            return null;
        });
    }

    public Optional<DbGroup> dbGroup(String name) {
        return call(() -> {
            if (!Pg.exists(c, "SELECT 1 FROM ibex.dbgroup WHERE name = ?", name)) {
                return Optional.empty();
            }
            List<DbGroup.Member> members = Pg.query(c, "SELECT db, role FROM ibex.dbgroup_member WHERE dbgroup = ? ORDER BY priority, db",
                    rs -> new DbGroup.Member(rs.getString(1), Role.parse(rs.getString(2))), name);
            return Optional.of(new DbGroup(name, members));
        });
    }

    public DbGroup requireDbGroup(String name) {
        return dbGroup(name).orElseThrow(() -> new IbexException("there is no dbgroup named \"" + name + "\""));
    }

    public List<DbGroup> dbGroups() {
        List<String> names = call(() -> Pg.query(c, "SELECT name FROM ibex.dbgroup ORDER BY name", rs -> rs.getString(1)));
        return names.stream().map(this::requireDbGroup).toList();
    }

    /** An existing dbgroup with exactly these members and roles, as Bucardo reuses one for {@code add sync db=a,b}. */
    public Optional<DbGroup> findDbGroup(List<DbGroup.Member> members) {
        var wanted = new java.util.HashSet<>(members);
        return dbGroups().stream().filter(g -> new java.util.HashSet<>(g.members()).equals(wanted)).findFirst();
    }

    public void removeDbGroup(String name) {
        call(() -> Pg.update(c, "DELETE FROM ibex.dbgroup WHERE name = ?", name));
    }

    // ---------------------------------------------------------------- syncs

    public void addSync(Sync s) {
        call(() -> Pg.update(c, "INSERT INTO ibex.sync (name, relgroup, dbgroup, status, autokick, checktime, onetimecopy, stayalive, "
                        + "kidsalive, conflict_strategy, deletemethod, analyze_after_copy, rebuild_index) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                s.name(), s.relgroup(), s.dbgroup(), s.status(), s.autokick(), s.checktimeSeconds(), s.onetimecopy(),
                s.stayalive(), s.kidsalive(), s.conflictStrategy(), s.deletemethod(), s.analyzeAfterCopy(), s.rebuildIndex()));
    }

    public Optional<Sync> sync(String name) {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.sync WHERE name = ?", Repository::sync, name)).stream().findFirst();
    }

    public Sync requireSync(String name) {
        return sync(name).orElseThrow(() -> new IbexException("there is no sync named \"" + name + "\""));
    }

    public List<Sync> syncs() {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.sync ORDER BY name", Repository::sync));
    }

    public void updateSync(String name, String column, Object value) {
        call(() -> Pg.update(c, "UPDATE ibex.sync SET " + io.ibex.db.Sql.ident(column) + " = ? WHERE name = ?", value, name));
    }

    public void removeSync(String name) {
        call(() -> Pg.update(c, "DELETE FROM ibex.sync WHERE name = ?", name));
    }

    private static Sync sync(ResultSet rs) throws SQLException {
        return new Sync(rs.getString("name"), rs.getString("relgroup"), rs.getString("dbgroup"), rs.getString("status"),
                rs.getBoolean("paused"), rs.getBoolean("autokick"), (Integer) rs.getObject("checktime"), rs.getInt("onetimecopy"),
                rs.getBoolean("stayalive"), rs.getBoolean("kidsalive"), rs.getString("conflict_strategy"),
                rs.getString("deletemethod"), rs.getBoolean("analyze_after_copy"), rs.getInt("rebuild_index"));
    }

    // ---------------------------------------------------------------- positions

    public Optional<String> position(String sync, String sourceDb, String targetDb) {
        return Optional.ofNullable(call(() -> Pg.queryString(c,
                "SELECT snapshot FROM ibex.position WHERE sync = ? AND source_db = ? AND target_db = ?", sync, sourceDb, targetDb)));
    }

    public void savePosition(String sync, String sourceDb, String targetDb, String snapshot) {
        call(() -> {
            if (Pg.update(c, "UPDATE ibex.position SET snapshot = ?, updated = now() WHERE sync = ? AND source_db = ? AND target_db = ?",
                    snapshot, sync, sourceDb, targetDb) == 0) {
                Pg.update(c, "INSERT INTO ibex.position (sync, source_db, target_db, snapshot) VALUES (?, ?, ?, ?)",
                        sync, sourceDb, targetDb, snapshot);
            }
            return null;
        });
    }

    public boolean copied(String sync, String sourceDb, String targetDb) {
        return call(() -> Pg.exists(c, "SELECT 1 FROM ibex.position WHERE sync = ? AND source_db = ? AND target_db = ? AND copied",
                sync, sourceDb, targetDb));
    }

    public void markCopied(String sync, String sourceDb, String targetDb) {
        call(() -> Pg.update(c, "UPDATE ibex.position SET copied = true WHERE sync = ? AND source_db = ? AND target_db = ?",
                sync, sourceDb, targetDb));
    }

    /** Every target of the sync has had its onetimecopy. */
    public boolean allCopied(String sync) {
        return call(() -> !Pg.exists(c, "SELECT 1 FROM ibex.position WHERE sync = ? AND NOT copied", sync));
    }

    /** A new onetimecopy request: every target copies again. */
    public void resetCopied(String sync) {
        call(() -> Pg.update(c, "UPDATE ibex.position SET copied = false WHERE sync = ?", sync));
    }

    public record Position(String sync, String sourceDb, String targetDb, String snapshot, OffsetDateTime updated) {
    }

    public List<Position> positions() {
        return call(() -> Pg.query(c, "SELECT sync, source_db, target_db, snapshot, updated FROM ibex.position ORDER BY 1, 2, 3",
                rs -> new Position(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getObject(5, OffsetDateTime.class))));
    }

    // ---------------------------------------------------------------- runs

    /** target is the database this run serves, or null for a run that serves every database of the sync. */
    public long startRun(String sync, String target, String state) {
        return startRun(sync, target, state, List.of());
    }

    /** kicks: the tickets of the kicks this run answers (see {@link #kickTicket()}). */
    public long startRun(String sync, String target, String state, List<Long> kicks) {
        return call(() -> Pg.queryLong(c, "INSERT INTO ibex.syncrun (sync, target, state, kicks) VALUES (?, ?, ?, ?) RETURNING id",
                sync, target, state, c.createArrayOf("bigint", kicks.toArray())));
    }

    /** A number no other kick has: the txid of the kick's own transaction. */
    public long kickTicket() {
        return call(() -> Pg.queryLong(c, "SELECT txid_current()"));
    }

    /** For each lane (target) of a sync, its first run that answers the kick with this ticket and has ended. */
    public List<SyncRun> runsAnswering(String sync, long ticket) {
        return call(() -> Pg.query(c, "SELECT DISTINCT ON (coalesce(target, '')) * FROM ibex.syncrun WHERE sync = ? AND ? = ANY (kicks) "
                + "AND ended IS NOT NULL ORDER BY coalesce(target, ''), id", Repository::run, sync, ticket));
    }

    public void runState(long runId, String state) {
        call(() -> Pg.update(c, "UPDATE ibex.syncrun SET state = ? WHERE id = ?", state, runId));
    }

    public void finishRun(long runId, String outcome, long deletes, long inserts, long conflicts, long truncates, String error) {
        call(() -> Pg.update(c, "UPDATE ibex.syncrun SET ended = clock_timestamp(), outcome = ?, state = ?, deletes = ?, inserts = ?, "
                        + "conflicts = ?, truncates = ?, error = ? WHERE id = ?", outcome,
                "good".equals(outcome) || "empty".equals(outcome) ? "Good" : "Bad", deletes, inserts, conflicts, truncates, error, runId));
    }

    /** Runs that ended with the given outcome, newest first. */
    public Optional<SyncRun> lastRun(String sync, String... outcomes) {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.syncrun WHERE sync = ? AND outcome = ANY (?) ORDER BY id DESC LIMIT 1",
                Repository::run, sync, c.createArrayOf("text", outcomes))).stream().findFirst();
    }

    public Optional<SyncRun> lastRun(String sync) {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.syncrun WHERE sync = ? ORDER BY id DESC LIMIT 1",
                Repository::run, sync)).stream().findFirst();
    }

    /** The newest run of each lane (target) of a sync. */
    public List<SyncRun> latestRunPerLane(String sync) {
        return call(() -> Pg.query(c, "SELECT DISTINCT ON (coalesce(target, '')) * FROM ibex.syncrun WHERE sync = ? "
                + "ORDER BY coalesce(target, ''), id DESC", Repository::run, sync));
    }

    public record CopyProgress(String sync, String target, String table, long rowsCopied, long rowsEstimated,
                               OffsetDateTime started, OffsetDateTime finished) {
    }

    /** Records how far the copy of one table has come; started anew when a copy starts (finished null, 0 rows). */
    public void copyProgress(String sync, String target, String table, long copied, long estimated, boolean finished) {
        call(() -> {
            String end = finished ? "clock_timestamp()" : "NULL";
            if (Pg.update(c, "UPDATE ibex.copy_progress SET rows_copied = ?, rows_estimated = ?, finished = " + end
                    + (copied == 0 && !finished ? ", started = clock_timestamp()" : "")
                    + " WHERE sync = ? AND target = ? AND tablename = ?", copied, estimated, sync, target, table) == 0) {
                Pg.update(c, "INSERT INTO ibex.copy_progress (sync, target, tablename, rows_copied, rows_estimated, finished) "
                        + "VALUES (?, ?, ?, ?, ?, " + end + ")", sync, target, table, copied, estimated);
            }
            return null;
        });
    }

    public List<CopyProgress> copyProgress(String sync) {
        return call(() -> Pg.query(c, "SELECT sync, target, tablename, rows_copied, rows_estimated, started, finished "
                        + "FROM ibex.copy_progress WHERE sync = ? ORDER BY target, started, tablename",
                rs -> new CopyProgress(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                        rs.getObject(6, OffsetDateTime.class), rs.getObject(7, OffsetDateTime.class)), sync));
    }

    public record Conflict(String sync, long run, String table, String key, List<String> dbs, String winner, String strategy,
                           OffsetDateTime at) {
    }

    public void recordConflict(Conflict k) {
        call(() -> Pg.update(c, "INSERT INTO ibex.conflict (sync, run, tablename, key, dbs, winner, strategy) VALUES (?, ?, ?, ?, ?, ?, ?)",
                k.sync(), k.run(), k.table(), k.key(), c.createArrayOf("text", k.dbs().toArray()), k.winner(), k.strategy()));
    }

    public List<Conflict> conflicts(String sync, int limit) {
        return call(() -> Pg.query(c, "SELECT sync, run, tablename, key, dbs, winner, strategy, at FROM ibex.conflict "
                        + "WHERE (?::text IS NULL OR sync = ?) ORDER BY id DESC LIMIT ?",
                rs -> new Conflict(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), strings(rs.getArray(5)),
                        rs.getString(6), rs.getString(7), rs.getObject(8, OffsetDateTime.class)), sync, sync, limit));
    }

    /** Ends runs left open by a daemon that died, so that status does not show them as running forever. */
    public int closeAbandonedRuns() {
        return call(() -> Pg.update(c, "UPDATE ibex.syncrun SET ended = clock_timestamp(), outcome = 'bad', state = 'Bad', "
                + "error = 'interrupted: the daemon stopped during this run' WHERE ended IS NULL"));
    }

    /** Keeps the history bounded: empty runs older than an hour go, except the newest of each sync. */
    public int pruneRuns() {
        return call(() -> Pg.update(c, "DELETE FROM ibex.syncrun r WHERE outcome = 'empty' AND ended < now() - interval '1 hour' "
                + "AND id < (SELECT max(id) FROM ibex.syncrun x WHERE x.sync = r.sync AND x.outcome = 'empty' "
                + "AND x.target IS NOT DISTINCT FROM r.target)"));
    }

    private static SyncRun run(ResultSet rs) throws SQLException {
        return new SyncRun(rs.getLong("id"), rs.getString("sync"), rs.getString("target"), rs.getObject("started", OffsetDateTime.class),
                rs.getObject("ended", OffsetDateTime.class), rs.getString("state"), rs.getString("outcome"),
                rs.getLong("deletes"), rs.getLong("inserts"), rs.getLong("conflicts"), rs.getLong("truncates"), rs.getString("error"));
    }

    // ---------------------------------------------------------------- settings

    public Map<String, String> settings() {
        Map<String, String> out = new LinkedHashMap<>();
        call(() -> Pg.query(c, "SELECT name, value FROM ibex.setting ORDER BY name", rs -> out.put(rs.getString(1), rs.getString(2))));
        return out;
    }

    public void setSetting(String name, String value) {
        call(() -> {
            if (Pg.update(c, "UPDATE ibex.setting SET value = ? WHERE name = ?", value, name) == 0) {
                Pg.update(c, "INSERT INTO ibex.setting (name, value) VALUES (?, ?)", name, value);
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- plumbing

    interface SqlCall<T> {
        T run() throws SQLException;
    }

    private <T> T call(SqlCall<T> body) {
        try {
            return body.run();
        } catch (SQLException e) {
            throw fail(e);
        }
    }
}
