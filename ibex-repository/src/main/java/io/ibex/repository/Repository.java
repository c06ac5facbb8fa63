package io.ibex.repository;

import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.RelGroup;
import io.ibex.model.Relation;
import io.ibex.model.Role;
import io.ibex.model.Sync;
import io.ibex.IbexException;
import io.ibex.db.ConnectionSpec;
import io.ibex.db.Pg;
import io.ibex.db.Sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

import static io.ibex.repository.Jdbc.call;
import static io.ibex.repository.Jdbc.fail;

/**
 * ibex's own configuration and run history, in schema {@code ibex} of the control database: the connection and its
 * transaction, the configuration objects (databases, relations, relgroups, dbgroups, syncs), and beside them the
 * schema version ({@link #schema()}), positions, run history, conflicts, copy progress and settings, each in its own
 * class on the same connection. Every method runs in the caller's transaction: the connection is not autocommit, and
 * a command calls {@link #commit()} once at the end, so that a failed command leaves nothing half-done.
 */
public class Repository implements AutoCloseable {

    /** The schema version this code needs (see {@link Migrations}). */
    public static final int SCHEMA_VERSION = Migrations.LATEST;

    private final Connection c;
    private final ConnectionSpec spec;
    private final RepositorySchema schema;
    private final Positions positions;
    private final RunHistory runs;
    private final ConflictLog conflictLog;
    private final CopyProgressLog copyProgressLog;
    private final SettingTable settingTable;
    private final CustomNames customNames;
    private final CustomCodeTable customCodes;
    private final CustomColumnsTable customColumns;
    private final SchemaChanges schemaChanges;
    private final PendingSchema pendingSchema;
    private final CopyRanges copyRanges;

    private Repository(Connection c, ConnectionSpec spec) {
        this.c = c;
        this.spec = spec;
        this.schema = new RepositorySchema(c, spec);
        this.positions = new Positions(c);
        this.runs = new RunHistory(c);
        this.conflictLog = new ConflictLog(c);
        this.copyProgressLog = new CopyProgressLog(c);
        this.settingTable = new SettingTable(c);
        this.customNames = new CustomNames(c);
        this.customCodes = new CustomCodeTable(c);
        this.customColumns = new CustomColumnsTable(c);
        this.schemaChanges = new SchemaChanges(c);
        this.pendingSchema = new PendingSchema(c);
        this.copyRanges = new CopyRanges(c);
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

    /** Whether the repository is installed, and its schema version. */
    public RepositorySchema schema() {
        return schema;
    }

    /** Fails with a clear message unless the repository is installed with the schema this release expects. */
    public Repository requireInstalled() {
        schema.requireInstalled();
        return this;
    }

    public Positions positions() {
        return positions;
    }

    public RunHistory runs() {
        return runs;
    }

    public ConflictLog conflictLog() {
        return conflictLog;
    }

    public CustomCodeTable customCodes() {
        return customCodes;
    }

    public CustomColumnsTable customColumns() {
        return customColumns;
    }

    public CopyProgressLog copyProgressLog() {
        return copyProgressLog;
    }

    public SettingTable settingTable() {
        return settingTable;
    }

    public CustomNames customNames() {
        return customNames;
    }

    public SchemaChanges schemaChanges() {
        return schemaChanges;
    }

    public PendingSchema pendingSchema() {
        return pendingSchema;
    }

    public CopyRanges copyRanges() {
        return copyRanges;
    }

    // ---------------------------------------------------------------- the clock and notifications

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
        List<String> options = d.options().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList();
        call(() -> Pg.update(c, "INSERT INTO ibex.db (name, dbtype, dbhost, dbport, dbname, dbuser, dbpass, status, makedelta, "
                        + "replica_function, replica_mode, options) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", d.name(), d.type(), d.host(), d.port(),
                d.dbname(), d.user(), d.password(), d.status(), d.makedelta(), d.replicaFunction(), d.replicaMode(),
                c.createArrayOf("text", options.toArray())));
    }

    public Optional<Database> database(String name) {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.db WHERE name = ?", ConfigRows::database, name)).stream().findFirst();
    }

    public Database requireDatabase(String name) {
        return database(name).orElseThrow(() -> new IbexException("there is no database named \"" + name + "\""));
    }

    public List<Database> databases() {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.db ORDER BY name", ConfigRows::database));
    }

    /** column is one of the db table's columns, checked by the caller against a fixed list. */
    public void updateDatabase(String name, String column, Object value) {
        call(() -> Pg.update(c, "UPDATE ibex.db SET " + Sql.ident(column) + " = ? WHERE name = ?", value, name));
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
                ConfigRows::relation, db, schema, name)).stream().findFirst();
    }

    public List<Relation> relations() {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.relation ORDER BY db, schemaname, relname", ConfigRows::relation));
    }

    public void updateRelation(long id, String column, Object value) {
        call(() -> Pg.update(c, "UPDATE ibex.relation SET " + Sql.ident(column) + " = ? WHERE id = ?", value, id));
    }

    public void removeRelation(long id) {
        call(() -> {
            Pg.update(c, "DELETE FROM ibex.relgroup_member WHERE relation = ?", (int) id);
            return Pg.update(c, "DELETE FROM ibex.relation WHERE id = ?", (int) id);
        });
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
                + "WHERE m.relgroup = ? ORDER BY m.priority, r.schemaname, r.relname", ConfigRows::relation, name));
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

    public void removeDbGroupMember(String dbgroup, String db) {
        call(() -> Pg.update(c, "DELETE FROM ibex.dbgroup_member WHERE dbgroup = ? AND db = ?", dbgroup, db));
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
        var wanted = new HashSet<>(members);
        return dbGroups().stream().filter(g -> new HashSet<>(g.members()).equals(wanted)).findFirst();
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
        return call(() -> Pg.query(c, "SELECT * FROM ibex.sync WHERE name = ?", ConfigRows::sync, name)).stream().findFirst();
    }

    public Sync requireSync(String name) {
        return sync(name).orElseThrow(() -> new IbexException("there is no sync named \"" + name + "\""));
    }

    public List<Sync> syncs() {
        return call(() -> Pg.query(c, "SELECT * FROM ibex.sync ORDER BY name", ConfigRows::sync));
    }

    public void updateSync(String name, String column, Object value) {
        call(() -> Pg.update(c, "UPDATE ibex.sync SET " + Sql.ident(column) + " = ? WHERE name = ?", value, name));
    }

    public void removeSync(String name) {
        call(() -> Pg.update(c, "DELETE FROM ibex.sync WHERE name = ?", name));
    }
}
