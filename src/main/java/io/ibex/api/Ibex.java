package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.capture.SourceCatalog;
import io.ibex.capture.TableInfo;
import io.ibex.db.ConnectionSpec;
import io.ibex.db.Pg;
import io.ibex.engine.Backlogs;
import io.ibex.engine.CaptureSetup;
import io.ibex.engine.SyncPlan;
import io.ibex.engine.SyncPlanner;
import io.ibex.repository.Database;
import io.ibex.repository.DbGroup;
import io.ibex.repository.RelGroup;
import io.ibex.repository.Relation;
import io.ibex.repository.Repository;
import io.ibex.repository.Role;
import io.ibex.repository.Sync;
import io.ibex.repository.SyncRun;
import io.ibex.settings.Settings;
import io.ibex.spi.TargetProvider;
import io.ibex.spi.TargetRegistry;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * ibex as a library: every command of the command line is one method here. Each method opens the repository,
 * does its work in one transaction and commits only when all of it succeeded.
 */
public class Ibex {

    static final String APP = "ibex-cli";

    private final ConnectionSpec repositorySpec;

    public Ibex(ConnectionSpec repositorySpec) {
        this.repositorySpec = repositorySpec;
    }

    public ConnectionSpec repositorySpec() {
        return repositorySpec;
    }

    /** Opens the installed repository; callers close it. */
    public Repository openRepository() {
        return Repository.open(repositorySpec, APP).requireInstalled();
    }

    // ---------------------------------------------------------------- install

    public enum InstallOutcome { INSTALLED, ALREADY_INSTALLED }

    /** Creates the repository schema (and the database, if it is missing and the role may create it). */
    public InstallOutcome install() {
        try (Repository repo = openOrCreateRepositoryDatabase()) {
            if (repo.install()) {
                return InstallOutcome.INSTALLED;
            }
            repo.requireInstalled(); // an older or newer schema: says what to run
            return InstallOutcome.ALREADY_INSTALLED;
        }
    }

    /** The repository's schema version before and after {@link #upgrade()}; equal when it was up to date. */
    public record UpgradeOutcome(int from, int to) {
        public boolean changed() {
            return from != to;
        }
    }

    /** Brings the repository to this release's schema version; refuses while a daemon runs on it. */
    public UpgradeOutcome upgrade() {
        try (Repository repo = Repository.open(repositorySpec, APP)) {
            if (repo.installedVersion() == Repository.SCHEMA_VERSION) {
                return new UpgradeOutcome(Repository.SCHEMA_VERSION, Repository.SCHEMA_VERSION);
            }
            // held until the connection closes: no daemon starts while the schema changes
            if (!"t".equals(Pg.queryString(repo.connection(), "SELECT pg_try_advisory_lock(" + io.ibex.engine.Daemon.LOCK_KEY + ")"))) {
                throw new IbexException("the ibex daemon is running on this repository: stop it ('ibex stop'), then run 'ibex upgrade'");
            }
            int from = repo.upgrade();
            return new UpgradeOutcome(from, Repository.SCHEMA_VERSION);
        } catch (SQLException e) {
            throw new IbexException("repository: " + Pg.firstLine(e), e);
        }
    }

    private Repository openOrCreateRepositoryDatabase() {
        try {
            return Repository.open(repositorySpec, APP);
        } catch (IbexException e) {
            if (!"3D000".equals(Pg.sqlState(e))) {
                throw e;
            }
            createRepositoryDatabase();
            return Repository.open(repositorySpec, APP);
        }
    }

    private void createRepositoryDatabase() {
        ConnectionSpec admin = new ConnectionSpec(repositorySpec.host(), repositorySpec.port(), "postgres",
                repositorySpec.user(), repositorySpec.password());
        try (Connection c = admin.openOrFail(APP, "database \"postgres\" to create the repository database")) {
            Pg.exec(c, "CREATE DATABASE " + io.ibex.db.Sql.ident(repositorySpec.dbname()));
        } catch (SQLException e) {
            throw new IbexException("database \"" + repositorySpec.dbname() + "\" does not exist and cannot be created: "
                    + Pg.firstLine(e) + " (create it, owned by " + repositorySpec.user() + ", then run install again)");
        }
    }

    // ---------------------------------------------------------------- databases

    private static final Set<String> DB_STATUSES = Set.of("active", "inactive");

    public Database addDatabase(String name, Map<String, String> given, boolean force) {
        Names.check("database", name);
        Params p = Params.of("add db", given);
        String dbname = p.require("dbname", "db", "database");
        String host = p.take("dbhost", "host", "pghost");
        Integer port = p.takePort("dbport", "port", "pgport");
        String user = p.take("dbuser", "user", "username", "pguser");
        String pass = p.take("dbpass", "pass", "password");
        String dbType = databaseType(Optional.ofNullable(p.take("type", "dbtype")).orElse("postgres"));
        String status = Optional.ofNullable(p.takeChoice(DB_STATUSES, "status")).orElse("active");
        boolean makedelta = Optional.ofNullable(p.takeBool("makedelta")).orElse(false);
        String replicaFunction = p.take("replica_function");
        String replicaMode = Optional.ofNullable(p.takeChoice(Set.of("auto", "none"), "replica_mode")).orElse("auto");
        p.done();
        Database db = new Database(name, dbType, host, port == null ? 0 : port, dbname, user, pass, status, makedelta, replicaFunction);
        // normalise host, port and user the way the connection will see them
        ConnectionSpec spec = db.connection();
        db = new Database(name, dbType, spec.host(), spec.port(), dbname, spec.user(), pass, status, makedelta, replicaFunction,
                replicaMode);
        try (Repository repo = openRepository()) {
            if (repo.database(name).isPresent()) {
                throw new IbexException("a database named \"" + name + "\" already exists");
            }
            if (!force) {
                try (Connection c = spec.openOrFail(APP, "database \"" + name + "\"")) {
                    Pg.serverVersion(c);
                } catch (SQLException e) {
                    throw new IbexException("database \"" + name + "\": " + Pg.firstLine(e));
                }
            }
            repo.addDatabase(db);
            repo.commit();
        }
        return db;
    }

    /** The type stored for a database: the name of the adapter that answers to the given type or alias. */
    private static String databaseType(String given) {
        return TargetRegistry.installed().find(given).map(TargetProvider::type).orElseThrow(() -> new IbexException(
                "add db: unknown database type \"" + given + "\": one of " + String.join(", ", TargetRegistry.installed().types())));
    }

    public List<Database> databases() {
        try (Repository repo = openRepository()) {
            return repo.databases();
        }
    }

    // ---------------------------------------------------------------- tables and relgroups

    /** What add table / add all tables did. */
    public record AddTablesResult(String relgroup, boolean relgroupCreated, List<Relation> added, List<Relation> alreadyKnown) {
    }

    /** A filter for {@code add all tables}: LIKE patterns for schemas and tables to take or leave. */
    public record TableFilter(List<String> schemas, List<String> excludeSchemas, List<String> tables, List<String> excludeTables,
                              boolean pkOnly) {
        public static TableFilter all() {
            return new TableFilter(List.of(), List.of(), List.of(), List.of(), false);
        }
    }

    public AddTablesResult addTables(List<String> patterns, Map<String, String> given, boolean sequences) {
        Params p = Params.of(sequences ? "add sequence" : "add table", given);
        String dbName = p.take("db", "database");
        String relgroup = p.take("relgroup", "herd");
        p.done();
        if (patterns.isEmpty()) {
            throw new IbexException((sequences ? "add sequence" : "add table") + ": name at least one " + (sequences ? "sequence" : "table"));
        }
        return addRelations(dbName, relgroup, sequences, c -> {
            List<SourceCatalog.Rel> found = new ArrayList<>();
            for (String pattern : patterns) {
                QualifiedName q = QualifiedName.parse(pattern);
                List<SourceCatalog.Rel> m = SourceCatalog.find(c, q.schema(), q.name(), sequences);
                if (m.isEmpty()) {
                    throw new IbexException("no " + (sequences ? "sequence" : "table") + " matches \"" + pattern + "\"");
                }
                found.addAll(m);
            }
            return found;
        });
    }

    public AddTablesResult addAllTables(Map<String, String> given, TableFilter filter, boolean sequences) {
        Params p = Params.of(sequences ? "add all sequences" : "add all tables", given);
        String dbName = p.take("db", "database");
        String relgroup = p.take("relgroup", "herd");
        boolean pkOnly = p.take("pkonly") != null | filter.pkOnly();
        p.done();
        return addRelations(dbName, relgroup, sequences, c -> {
            List<SourceCatalog.Rel> found = new ArrayList<>();
            for (SourceCatalog.Rel r : SourceCatalog.find(c, null, "%", sequences)) {
                if (matchesAny(filter.schemas(), r.schema(), true) && !matchesAny(filter.excludeSchemas(), r.schema(), false)
                        && matchesAny(filter.tables(), r.name(), true) && !matchesAny(filter.excludeTables(), r.name(), false)
                        && (!pkOnly || sequences || !SourceCatalog.key(c, r.schema(), r.name()).isEmpty())) {
                    found.add(r);
                }
            }
            return found;
        });
    }

    private static boolean matchesAny(List<String> patterns, String value, boolean whenEmpty) {
        if (patterns.isEmpty()) {
            return whenEmpty;
        }
        return patterns.stream().anyMatch(pt -> value.matches(QualifiedName.likeToRegex(pt)));
    }

    interface Finder {
        List<SourceCatalog.Rel> find(Connection c) throws SQLException;
    }

    private AddTablesResult addRelations(String dbName, String relgroup, boolean sequences, Finder finder) {
        if (relgroup != null) {
            Names.check("relgroup", relgroup);
        }
        try (Repository repo = openRepository()) {
            Database db = dbName != null ? repo.requireDatabase(dbName) : onlyDatabase(repo);
            List<Relation> added = new ArrayList<>();
            List<Relation> known = new ArrayList<>();
            try (Connection c = db.connection().openOrFail(APP, "database \"" + db.name() + "\"")) {
                Map<String, SourceCatalog.Rel> unique = new LinkedHashMap<>();
                for (SourceCatalog.Rel r : finder.find(c)) {
                    unique.put(r.schema() + "." + r.name(), r);
                }
                for (SourceCatalog.Rel r : unique.values()) {
                    Optional<Relation> existing = repo.relation(db.name(), r.schema(), r.name());
                    if (existing.isPresent()) {
                        known.add(existing.get());
                        continue;
                    }
                    List<TableInfo.Column> key = sequences ? List.of() : SourceCatalog.key(c, r.schema(), r.name());
                    Relation rel = new Relation(0, db.name(), r.schema(), r.name(), sequences ? "sequence" : "table",
                            key.stream().map(TableInfo.Column::name).toList(), key.stream().map(TableInfo.Column::type).toList(),
                            null, null, null, null);
                    long id = repo.addRelation(rel);
                    added.add(new Relation(id, rel.db(), rel.schema(), rel.name(), rel.type(), rel.keyColumns(), rel.keyTypes(),
                            null, null, null, null));
                }
            } catch (SQLException e) {
                throw new IbexException("database \"" + db.name() + "\": " + Pg.firstLine(e));
            }
            boolean created = false;
            if (relgroup != null) {
                created = ensureRelGroup(repo, relgroup);
                for (Relation r : added) {
                    repo.addToRelGroup(relgroup, r.id());
                }
                for (Relation r : known) {
                    repo.addToRelGroup(relgroup, r.id());
                }
                // a relgroup that syncs replicate (active or not): capture the new tables now, so their changes flow from here
                for (Sync s : repo.syncs()) {
                    if (s.relgroup().equals(relgroup)) {
                        installCapture(repo, s);
                    }
                }
                repo.notify(io.ibex.engine.Daemon.CONTROL_CHANNEL, "reload");
            }
            repo.commit();
            return new AddTablesResult(relgroup, created, added, known);
        }
    }

    private static boolean ensureRelGroup(Repository repo, String name) {
        if (repo.relGroupExists(name)) {
            return false;
        }
        repo.createRelGroup(name);
        return true;
    }

    private static Database onlyDatabase(Repository repo) {
        List<Database> all = repo.databases();
        if (all.size() == 1) {
            return all.get(0);
        }
        throw new IbexException(all.isEmpty() ? "no database has been added yet: run 'ibex add db NAME dbname=...' first"
                : "say which database the tables are in: db=NAME (one of " + String.join(", ", all.stream().map(Database::name).toList()) + ")");
    }

    /** {@code add relgroup NAME [table ...]}: members are tables already added, or tables of db= to add now. */
    public AddTablesResult addRelGroup(String name, List<String> members, Map<String, String> given) {
        Names.check("relgroup", name);
        try (Repository repo = openRepository()) {
            if (repo.relGroupExists(name)) {
                throw new IbexException("a relgroup named \"" + name + "\" already exists");
            }
        }
        if (members.isEmpty()) {
            Params.of("add relgroup", given).done();
            try (Repository repo = openRepository()) {
                repo.createRelGroup(name);
                repo.commit();
            }
            return new AddTablesResult(name, true, List.of(), List.of());
        }
        Map<String, String> withGroup = new LinkedHashMap<>(given);
        withGroup.put("relgroup", name);
        return addTables(members, withGroup, false);
    }

    public List<Relation> relations() {
        try (Repository repo = openRepository()) {
            return repo.relations();
        }
    }

    public List<RelGroup> relGroups() {
        try (Repository repo = openRepository()) {
            return repo.relGroups();
        }
    }

    // ---------------------------------------------------------------- dbgroups

    /** {@code add dbgroup NAME db1:source db2:target ...}; a database without a role is a target, the first a source. */
    public DbGroup addDbGroup(String name, List<String> items) {
        Names.check("dbgroup", name);
        try (Repository repo = openRepository()) {
            if (repo.dbGroup(name).isPresent()) {
                throw new IbexException("a dbgroup named \"" + name + "\" already exists");
            }
            List<DbGroup.Member> members = parseMembers(repo, items);
            DbGroup g = new DbGroup(name, members);
            repo.createDbGroup(g);
            repo.commit();
            return g;
        }
    }

    private static List<DbGroup.Member> parseMembers(Repository repo, List<String> items) {
        if (items.isEmpty()) {
            throw new IbexException("name the databases of the group, as db1:source db2:target");
        }
        List<DbGroup.Member> members = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            int colon = item.indexOf(':');
            String db = colon < 0 ? item : item.substring(0, colon);
            Role role = colon < 0 ? (i == 0 ? Role.SOURCE : Role.TARGET) : Role.parse(item.substring(colon + 1));
            repo.requireDatabase(db);
            if (!seen.add(db)) {
                throw new IbexException("database \"" + db + "\" is named twice");
            }
            members.add(new DbGroup.Member(db, role));
        }
        return members;
    }

    public List<DbGroup> dbGroups() {
        try (Repository repo = openRepository()) {
            return repo.dbGroups();
        }
    }

    // ---------------------------------------------------------------- syncs

    /** What add sync did, for the messages the walkthrough shows. */
    public record AddSyncResult(Sync sync, String dbgroup, boolean dbgroupCreated, String relgroup, boolean relgroupCreated,
                                List<String> capturedOn) {
    }

    public AddSyncResult addSync(String name, Map<String, String> given) {
        Names.check("sync", name);
        Params p = Params.of("add sync", given);
        String relgroup = p.take("relgroup", "herd");
        String tables = p.take("tables", "table");
        String dbgroup = p.take("dbgroup");
        String dbs = p.take("dbs", "db", "databases");
        SyncOptions options = SyncOptions.defaults().with(p, "add sync");
        p.done();
        if (relgroup == null && tables == null) {
            throw new IbexException("add sync: say which tables: relgroup=NAME (or tables=t1,t2)");
        }
        if (dbgroup == null && dbs == null) {
            throw new IbexException("add sync: say which databases: dbs=DBGROUP, or db=source,target");
        }
        boolean relgroupCreated = false;
        boolean dbgroupCreated = false;
        try (Repository repo = openRepository()) {
            if (repo.sync(name).isPresent()) {
                throw new IbexException("a sync named \"" + name + "\" already exists");
            }
            // dbs= names a dbgroup, or lists databases (first the source, then the targets)
            String groupName = dbgroup;
            if (groupName == null && !dbs.contains(",") && !dbs.contains(":") && repo.dbGroup(dbs).isPresent()) {
                groupName = dbs;
            }
            if (groupName == null) {
                List<DbGroup.Member> members = parseMembers(repo, List.of(dbs.split(",")));
                Optional<DbGroup> existing = repo.findDbGroup(members);
                if (existing.isPresent()) {
                    groupName = existing.get().name();
                } else {
                    groupName = name;
                    if (repo.dbGroup(groupName).isPresent()) {
                        throw new IbexException("a dbgroup named \"" + name + "\" exists with other members; name the dbgroup with dbs=");
                    }
                    repo.createDbGroup(new DbGroup(groupName, members));
                    dbgroupCreated = true;
                }
            } else {
                repo.requireDbGroup(groupName);
            }
            if (relgroup == null) {
                relgroup = name;
                if (repo.relGroupExists(relgroup)) {
                    throw new IbexException("a relgroup named \"" + name + "\" exists already; name it with relgroup=");
                }
                repo.createRelGroup(relgroup);
                relgroupCreated = true;
                String sourceDb = repo.requireDbGroup(groupName).dbsWithRole(Role.SOURCE).stream().findFirst()
                        .orElseThrow(() -> new IbexException("add sync: the databases include no source"));
                for (String t : tables.split(",")) {
                    QualifiedName q = QualifiedName.parse(t.trim());
                    Relation r = repo.relations().stream().filter(x -> x.db().equals(sourceDb) && x.name().equals(q.name())
                                    && (q.schema() == null || x.schema().equals(q.schema()))).findFirst()
                            .orElseThrow(() -> new IbexException("table \"" + t.trim() + "\" has not been added: run 'ibex add table "
                                    + t.trim() + " db=" + sourceDb + "' first"));
                    repo.addToRelGroup(relgroup, r.id());
                }
            } else {
                repo.requireRelGroup(relgroup);
            }
            Sync sync = options.toSync(name, relgroup, groupName);
            DbGroup group = repo.requireDbGroup(groupName);
            SyncOptions.checkConflictStrategy(sync.conflictStrategy(), group.dbsWithRole(Role.SOURCE));
            if (!capturesChanges(group) && !givesAutokick(given)) {
                // a fullcopy sync copies whole tables: it runs when kicked, not on every change (as in Bucardo)
                sync = SyncOptions.of(sync).withAutokick(false).toSync(name, relgroup, groupName);
            }
            repo.addSync(sync);
            List<String> captured = installCapture(repo, sync); // inactive too: its changes wait for its activation
            repo.commit();
            return new AddSyncResult(sync, groupName, dbgroupCreated, relgroup, relgroupCreated, captured);
        }
    }

    /** Whether a sync of this group has changes to capture: a source and another database that receives deltas. */
    private static boolean capturesChanges(DbGroup group) {
        return !group.dbsWithRole(Role.SOURCE).isEmpty()
                && group.dbsWithRole(Role.SOURCE).size() + group.dbsWithRole(Role.TARGET).size() >= 2;
    }

    private static boolean givesAutokick(Map<String, String> given) {
        return given.keySet().stream().map(k -> k.toLowerCase(java.util.Locale.ROOT)).anyMatch(k -> k.equals("autokick") || k.equals("ping"));
    }

    /** Installs capture on the sync's sources and records where each receiving database starts (see CaptureSetup). */
    static List<String> installCapture(Repository repo, Sync sync) {
        return CaptureSetup.install(repo, sync);
    }

    public List<Sync> syncs() {
        try (Repository repo = openRepository()) {
            return repo.syncs();
        }
    }

    /** A sync that passed validation, with how each receiving database holds off its triggers and foreign keys. */
    public record Validation(SyncPlan plan, Map<String, String> replicaModes) {
    }

    /** Checks a sync exactly as the daemon does when it starts it; throws why not. */
    public Validation validate(String syncName) {
        try (Repository repo = openRepository()) {
            SyncPlan plan = SyncPlanner.plan(repo, repo.requireSync(syncName));
            return new Validation(plan, SyncPlanner.checkTargets(plan));
        }
    }

    /**
     * One line per target table of the sync that is empty (or far smaller by the planner's estimates) while its
     * source table is not, on a sync with onetimecopy=0: only changes would ever reach it.
     */
    public List<String> emptyTargetWarnings(String syncName) {
        try (Repository repo = openRepository()) {
            return EmptyTargets.warnings(repo, repo.requireSync(syncName));
        }
    }

    /** One table compared on one target; details (the differing keys) are null for a table without a key. */
    public record TableVerification(String table, String target, long sourceRows, long targetRows, boolean identical,
                                    io.ibex.verify.CompareResult details) {
    }

    public record Verification(String sync, String source, List<TableVerification> tables) {
        public boolean identical() {
            return tables.stream().allMatch(TableVerification::identical);
        }
    }

    /** Progress of a verify: the table, the target, rows done of the estimate. */
    public interface VerifyProgress {
        void update(String table, String target, long done, long total);
    }

    /**
     * {@code ibex verify SYNC [TABLE ...]}: every table (or those named) compared between the source and each
     * other database, by key ranges, naming up to maxKeys differing keys per table.
     */
    public Verification verify(String syncName, List<String> tables, int maxKeys, VerifyProgress progress) {
        SyncPlan plan;
        try (Repository repo = openRepository()) {
            plan = SyncPlanner.plan(repo, repo.requireSync(syncName));
        }
        return Verifier.verify(plan, tables, maxKeys, progress::update);
    }

    /** Whether a daemon holds this repository's lock, wherever it runs. */
    public boolean daemonRunning() {
        try (Repository repo = openRepository()) {
            boolean running = Pg.exists(repo.connection(), "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = "
                    + "(SELECT oid FROM pg_database WHERE datname = current_database()) AND classid = 0 AND objid = "
                    + io.ibex.engine.Daemon.LOCK_KEY + " AND objsubid = 1 AND granted");
            repo.commit();
            return running;
        } catch (SQLException e) {
            throw new IbexException("repository: " + Pg.firstLine(e));
        }
    }

    /** What {@code ibex cutover} found. */
    public record CutoverReport(boolean ready, Duration waited, Map<String, Long> backlog, Verification verification) {
    }

    /**
     * {@code ibex cutover SYNC}: once the application has stopped writing to the source, waits until every target
     * has every change (backlog zero, runs good), runs the sync once more so that sequences are copied, then
     * verifies every table. Ready means the targets can take the writes.
     */
    public CutoverReport cutover(String syncName, Duration timeout, Consumer<String> progress, VerifyProgress verifyProgress) {
        if (!daemonRunning()) {
            throw new IbexException("the ibex daemon is not running: run 'ibex start' first");
        }
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        SyncStatus status;
        while (true) {
            Kick at = kick(syncName);
            KickOutcome outcome = awaitRun(syncName, at, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), d -> { });
            status = status(syncName);
            long backlog = status.backlog().values().stream().mapToLong(Long::longValue).sum();
            progress.accept("backlog: " + backlog + " change(s) " + status.backlog() + ", last run " + outcome);
            if (outcome == KickOutcome.DONE && backlog == 0 && status.backlogError() == null) {
                break;
            }
            if (System.nanoTime() > deadline) {
                return new CutoverReport(false, Duration.ofNanos(System.nanoTime() - start), status.backlog(), null);
            }
        }
        Kick at = kick(syncName); // one more run: sequences and anything committed meanwhile
        awaitRun(syncName, at, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), d -> { });
        progress.accept("verifying every table");
        Verification v = verify(syncName, List.of(), 100, verifyProgress);
        return new CutoverReport(v.identical(), Duration.ofNanos(System.nanoTime() - start), status.backlog(), v);
    }

    /** {@code ibex sql replica_function [ROLE]}: what an administrator runs on a managed target. */
    public static String replicaFunctionSql(String role) {
        return io.ibex.apply.ReplicaModes.functionSql(role);
    }

    // ---------------------------------------------------------------- remove and update

    public void remove(String type, String name, boolean force) {
        remove(type, name, null, force);
    }

    /** As {@link #remove(String, String, boolean)}; db= picks the table among those of the same name on several databases. */
    public void remove(String type, String name, String db, boolean force) {
        try (Repository repo = openRepository()) {
            new Removal(repo, force).remove(type, name, db);
            repo.commit();
        }
    }

    public void update(String type, String name, Map<String, String> given) {
        update(type, name, given, false);
    }

    /**
     * force: a database's new settings are stored without connecting first. A running daemon is told in the same
     * transaction, so a kick sent after this returns runs with the change.
     */
    public void update(String type, String name, Map<String, String> given, boolean force) {
        try (Repository repo = openRepository()) {
            new Update(repo, force).update(type, name, given);
            repo.notify(io.ibex.engine.Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
        }
    }

    // ---------------------------------------------------------------- status and kick

    public List<SyncStatus> status() {
        try (Repository repo = openRepository()) {
            List<SyncStatus> out = new ArrayList<>();
            for (Sync s : repo.syncs()) {
                out.add(SyncStatus.of(repo, s));
            }
            return out;
        }
    }

    public SyncStatus status(String sync) {
        try (Repository repo = openRepository()) {
            return SyncStatus.of(repo, repo.requireSync(sync));
        }
    }

    /** The outcome of a kick that waited. */
    public enum KickOutcome { DONE, TIMEOUT, FAILED }

    /** A kick sent: its sync, its ticket (the runs that answer it record it), and the repository time it was sent. */
    public record Kick(String sync, long ticket, OffsetDateTime at) {
    }

    /**
     * What a kick came to: errors, one per failed lane ("target: message"); skipped, the inactive databases that
     * kept some lanes from running (their changes wait).
     */
    public record KickResult(KickOutcome outcome, List<String> errors, List<String> skipped) {
    }

    /** Asks the daemon to run a sync now, with every change committed before this call. */
    public Kick kick(String syncName) {
        try (Repository repo = openRepository()) {
            Sync s = repo.requireSync(syncName);
            if (!s.active()) {
                throw new IbexException("sync \"" + syncName + "\" is inactive: run 'ibex activate " + syncName + "' first");
            }
            if (!daemonRunning()) {
                throw new IbexException("the ibex daemon is not running: start it with 'ibex start'");
            }
            OffsetDateTime at = repo.now();
            long ticket = repo.kickTicket();
            repo.notify(io.ibex.engine.Daemon.KICK_CHANNEL, Kicks.payload(ticket, syncName));
            repo.commit();
            return Kicks.of(syncName, ticket, at);
        }
    }

    /** Waits for the runs that answer the kick, one per lane the daemon runs; a null timeout waits forever. */
    public KickOutcome awaitRun(String syncName, Kick kick, Duration timeout, Consumer<Duration> tick) {
        return awaitKick(kick, timeout, tick).outcome();
    }

    public KickResult awaitKick(Kick kick, Duration timeout, Consumer<Duration> tick) {
        try (Repository repo = openRepository()) {
            return Kicks.await(repo, kick, timeout, tick);
        }
    }

    // ---------------------------------------------------------------- control of running syncs

    /** Syncs named, or every sync for "all"; % and * are wildcards. */
    private static List<Sync> select(Repository repo, List<String> names) {
        if (names.isEmpty()) {
            throw new IbexException("name the sync(s), or all");
        }
        List<Sync> out = new ArrayList<>();
        for (String n : names) {
            if (n.equals("all")) {
                return repo.syncs();
            }
            if (n.contains("%") || n.contains("*")) {
                String re = QualifiedName.likeToRegex(n);
                out.addAll(repo.syncs().stream().filter(s -> s.name().matches(re)).toList());
            } else {
                out.add(repo.requireSync(n));
            }
        }
        return out;
    }

    /** activate: status active (capture installed again if needed); the daemon starts the sync at once. */
    public List<String> activate(List<String> names) {
        return setStatus(names, "active");
    }

    public List<String> deactivate(List<String> names) {
        return setStatus(names, "inactive");
    }

    private List<String> setStatus(List<String> names, String status) {
        try (Repository repo = openRepository()) {
            List<String> done = new ArrayList<>();
            for (Sync s : select(repo, names)) {
                new Update(repo).update("sync", s.name(), Map.of("status", status));
                done.add(s.name());
            }
            repo.notify(io.ibex.engine.Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
            return done;
        }
    }

    /** pause: the sync keeps its capture and its place, but runs no more until resumed. */
    public List<String> pause(List<String> names) {
        return setPaused(names, true);
    }

    /** resume: the sync runs again at once and catches up what accumulated. */
    public List<String> resume(List<String> names) {
        return setPaused(names, false);
    }

    private List<String> setPaused(List<String> names, boolean paused) {
        try (Repository repo = openRepository()) {
            List<String> done = new ArrayList<>();
            for (Sync s : select(repo, names)) {
                repo.updateSync(s.name(), "paused", paused);
                done.add(s.name());
            }
            repo.notify(io.ibex.engine.Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
            if (!paused) {
                for (String n : done) {
                    kick(n);
                }
            }
            return done;
        }
    }

    /** The backlog of one table on one source: change rows not yet received by the consumer furthest behind. */
    public record Delta(String db, String table, long rows) {
    }

    /** {@code ibex delta [DB ...]}: per source database and table, the changes still to deliver. */
    public List<Delta> delta(List<String> dbs) {
        try (Repository repo = openRepository()) {
            List<Delta> out = new ArrayList<>();
            Backlogs.furthestBehind(repo, dbs).forEach((db, tables) -> tables.forEach((table, rows) ->
                    out.add(new Delta(db.name(), table.qualifiedName(), rows))));
            return out;
        }
    }

    /** {@code ibex purge}: deletes the change rows every consumer has received, now rather than at the daemon's next turn. */
    public long purge() {
        try (Repository repo = openRepository()) {
            return io.ibex.engine.Purger.purge(repo);
        }
    }

    /** Checks the value (see {@link Settings#problem}) and stores it; a running daemon applies it at once. */
    public void set(String name, String value) {
        Optional<String> refused = Settings.problem(name, value);
        if (refused.isPresent()) {
            throw new IbexException(refused.get());
        }
        try (Repository repo = openRepository()) {
            repo.setSetting(name.toLowerCase(java.util.Locale.ROOT), value.toLowerCase(java.util.Locale.ROOT));
            repo.notify(io.ibex.engine.Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
        }
    }

    /** Every setting with its value (the default where none was set). */
    public Map<String, String> show() {
        try (Repository repo = openRepository()) {
            Map<String, String> out = new java.util.TreeMap<>(Settings.DEFAULTS);
            out.putAll(repo.settings());
            return out;
        }
    }

    public List<Repository.Conflict> conflicts(String sync, int limit) {
        try (Repository repo = openRepository()) {
            if (sync != null) {
                repo.requireSync(sync);
            }
            return repo.conflicts(sync, limit);
        }
    }

    /** What {@code inspect table} shows: the table's shape on its database and where ibex uses it. */
    public record TableInspection(Relation relation, TableInfo info, List<String> relgroups, List<String> syncs) {
    }

    public TableInspection inspectTable(String name) {
        return inspectTable(name, null);
    }

    /** db picks the table among those of the same name on several databases; null when there is no need. */
    public TableInspection inspectTable(String name, String dbName) {
        try (Repository repo = openRepository()) {
            Relation r = QualifiedName.findIn(repo, name, dbName);
            Database db = repo.requireDatabase(r.db());
            TableInfo info;
            try (Connection c = db.connection().openOrFail(APP, "database \"" + db.name() + "\"")) {
                info = r.isSequence() ? null : SourceCatalog.table(c, r.schema(), r.name()).orElse(null);
            } catch (SQLException e) {
                throw new IbexException("database \"" + db.name() + "\": " + Pg.firstLine(e));
            }
            List<String> groups = repo.relGroupsOf(r.id());
            List<String> syncs = repo.syncs().stream().filter(s -> groups.contains(s.relgroup())).map(Sync::name).toList();
            return new TableInspection(r, info, groups, syncs);
        }
    }

    /** Progress of the full copies of a sync (onetimecopy, fullcopy): rows copied of rows estimated, per table and target. */
    public List<Repository.CopyProgress> copyProgress(String syncName) {
        try (Repository repo = openRepository()) {
            repo.requireSync(syncName);
            return repo.copyProgress(syncName);
        }
    }

    /** Writes a line into the daemon's log ({@code ibex message TEXT}). */
    public void message(String text) {
        try (Repository repo = openRepository()) {
            repo.notify(io.ibex.engine.Daemon.CONTROL_CHANNEL, "message:" + text);
            repo.commit();
        }
    }

    /** Asks a running daemon to re-read every sync's options and tables. */
    public void reload() {
        try (Repository repo = openRepository()) {
            repo.notify(io.ibex.engine.Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
        }
    }

    public Optional<SyncRun> lastRun(String syncName) {
        try (Repository repo = openRepository()) {
            return repo.lastRun(syncName);
        }
    }
}
