package io.ibex.api;

import io.ibex.model.TableInfo;
import io.ibex.db.ConnectionSpec;
import io.ibex.engine.Daemon;
import io.ibex.engine.SyncPlan;
import io.ibex.model.DaemonInfo;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.RelGroup;
import io.ibex.model.Relation;
import io.ibex.repository.Conflict;
import io.ibex.repository.CopyProgress;
import io.ibex.repository.Repository;
import io.ibex.spi.TargetRegistry;
import io.ibex.model.Sync;
import io.ibex.model.SyncRun;
import io.ibex.verify.CompareResult;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * ibex as a library: every command of the command line is one method here, delegating to the class of its
 * command (Install, Databases, Tables, DbGroups, Syncs, SyncChecks, SyncControl, DaemonRequests, Deltas,
 * SettingsCommands, Inspection, SyncReports, Cutover, Removal, Update). Each method opens the repository, does its
 * work in one transaction and commits only when all of it succeeded.
 * <p>
 * It is longer than the project's ~400 lines on purpose: it is the one facade of the core API (as Flyway's), one
 * short delegating method and the result records per command, so that a reader finds every command in one place;
 * the work is in the command classes.
 */
public class Ibex {

    static final String APP = "ibex-cli";

    private final ConnectionSpec repositorySpec;
    private final Install install;
    private final Databases databases;
    private final Tables tables;
    private final DbGroups dbGroups;
    private final Syncs syncs;
    private final SyncChecks checks;
    private final DaemonRequests daemon;
    private final SyncControl control;
    private final Deltas deltas;
    private final SettingsCommands settings;
    private final Inspection inspection;
    private final SyncReports reports;
    private final Cutover cutover;
    private final CustomNameCommands customNames;
    private final SchemaCommands schema;
    private final SchemaCopy schemaCopy;

    public Ibex(ConnectionSpec repositorySpec) {
        this.repositorySpec = repositorySpec;
        Supplier<Repository> repositories = this::openRepository;
        this.install = new Install(repositorySpec);
        this.databases = new Databases(repositories);
        this.tables = new Tables(repositories);
        this.dbGroups = new DbGroups(repositories);
        this.syncs = new Syncs(repositories);
        this.checks = new SyncChecks(repositories);
        this.daemon = new DaemonRequests(repositories);
        this.control = new SyncControl(repositories, this::kick);
        this.deltas = new Deltas(repositories);
        this.settings = new SettingsCommands(repositories);
        this.inspection = new Inspection(repositories);
        this.reports = new SyncReports(repositories);
        this.cutover = new Cutover(this);
        this.customNames = new CustomNameCommands(repositories);
        this.schema = new SchemaCommands(repositories);
        this.schemaCopy = new SchemaCopy(repositories);
    }

    /** {@code ibex add|update|remove|list customcode}. */
    public CustomCodes customCodes() {
        return new CustomCodes(this::openRepository);
    }

    /** {@code ibex add|list|remove customcols}. */
    public CustomColumnsCommands customColumns() {
        return new CustomColumnsCommands(this::openRepository);
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
        return install.install();
    }

    /** The repository's schema version before and after {@link #upgrade()}; equal when it was up to date. */
    public record UpgradeOutcome(int from, int to) {
        public boolean changed() {
            return from != to;
        }
    }

    /** Brings the repository to this release's schema version; refuses while a daemon runs on it. */
    public UpgradeOutcome upgrade() {
        return install.upgrade();
    }

    // ---------------------------------------------------------------- databases

    public Database addDatabase(String name, Map<String, String> given, boolean force) {
        return databases.addDatabase(name, given, force);
    }

    public List<Database> databases() {
        return databases.databases();
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
        return tables.addTables(patterns, given, sequences);
    }

    public AddTablesResult addAllTables(Map<String, String> given, TableFilter filter, boolean sequences) {
        return tables.addAllTables(given, filter, sequences);
    }

    /** {@code add relgroup NAME [table ...]}: members are tables already added, or tables of db= to add now. */
    public AddTablesResult addRelGroup(String name, List<String> members, Map<String, String> given) {
        return tables.addRelGroup(name, members, given);
    }

    public List<Relation> relations() {
        return tables.relations();
    }

    public List<RelGroup> relGroups() {
        return tables.relGroups();
    }

    // ---------------------------------------------------------------- dbgroups

    /** {@code add dbgroup NAME db1:source db2:target ...}; a database without a role is a target, the first a source. */
    public DbGroup addDbGroup(String name, List<String> items) {
        return dbGroups.addDbGroup(name, items);
    }

    public List<DbGroup> dbGroups() {
        return dbGroups.dbGroups();
    }

    /** {@code update dbgroup NAME [add] db:role ... [remove db ...]}. */
    public DbGroup updateDbGroup(String name, List<String> words) {
        return dbGroups.updateDbGroup(name, words);
    }

    /** {@code add|list|remove customname}: tables written under another name on the databases that receive them. */
    public CustomNameCommands customNames() {
        return customNames;
    }

    // ---------------------------------------------------------------- syncs

    /** What add sync did, for the messages the walkthrough shows. */
    public record AddSyncResult(Sync sync, String dbgroup, boolean dbgroupCreated, String relgroup, boolean relgroupCreated,
                                List<String> capturedOn) {
    }

    public AddSyncResult addSync(String name, Map<String, String> given) {
        return syncs.addSync(name, given);
    }

    public List<Sync> syncs() {
        return syncs.syncs();
    }

    // ---------------------------------------------------------------- validate and verify

    /** A sync that passed validation, with how each receiving database holds off its triggers and foreign keys. */
    public record Validation(SyncPlan plan, Map<String, String> replicaModes) {
    }

    /** Checks a sync exactly as the daemon does when it starts it; throws why not. */
    public Validation validate(String syncName) {
        return checks.validate(syncName);
    }

    /** {@code ibex copy schema SYNC [--dry-run]}: creates (or only lists) what each target lacks of the sync's tables. */
    public List<TargetSchema> copySchema(String syncName, boolean dryRun) {
        return schemaCopy.copy(syncName, dryRun);
    }

    /**
     * One line per target table of the sync that is empty (or far smaller by the planner's estimates) while its
     * source table is not, on a sync with onetimecopy=0: only changes would ever reach it.
     */
    public List<String> emptyTargetWarnings(String syncName) {
        return checks.emptyTargetWarnings(syncName);
    }

    /** One table compared on one target; details (the differing keys) are null for a table without a key. */
    public record TableVerification(String table, String target, long sourceRows, long targetRows, boolean identical,
                                    CompareResult details) {
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
        return checks.verify(syncName, tables, maxKeys, progress);
    }

    // ---------------------------------------------------------------- cutover

    /** What {@code ibex cutover} found. */
    public record CutoverReport(boolean ready, Duration waited, Map<String, Long> backlog, Verification verification) {
    }

    /**
     * {@code ibex cutover SYNC}: once the application has stopped writing to the source, waits until every target
     * has every change (backlog zero, runs good), runs the sync once more so that sequences are copied, then
     * verifies every table. Ready means the targets can take the writes.
     */
    public CutoverReport cutover(String syncName, Duration timeout, Consumer<String> progress, VerifyProgress verifyProgress) {
        return cutover.cutover(syncName, timeout, progress, verifyProgress);
    }

    /** {@code ibex sql replica_function [ROLE]}: what an administrator runs on a managed target. */
    public static String replicaFunctionSql(String role) {
        return TargetRegistry.installed().require("postgres").replicaFunctionSql(role);
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
            repo.notify(Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
        }
    }

    // ---------------------------------------------------------------- status, kick and the daemon

    public List<SyncStatus> status() {
        return reports.status();
    }

    public SyncStatus status(String sync) {
        return reports.status(sync);
    }

    /** Whether a daemon holds this repository's lock, wherever it runs. */
    public boolean daemonRunning() {
        return daemon.daemonRunning();
    }

    /** The daemons registered in this repository (table ibex.daemon) with their heartbeats; never another one's. */
    public List<DaemonInfo> daemons() {
        return daemon.daemons();
    }

    /** Which daemon runs each sync: the leases of ibex.sync_lease (a sync never run yet has none). */
    public List<io.ibex.repository.Leases.Lease> leases() {
        return daemon.leases();
    }

    /** For health checks: a registered daemon's session is alive and its heartbeat recent (not frozen, not killed). */
    public boolean daemonAlive() {
        return daemon.daemonAlive();
    }

    /** Asks the named daemon (every one of the repository when name is null) to stop; returns the names asked. */
    public List<String> requestDaemonStop(String name, String reason) {
        return daemon.requestStop(name, reason);
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
        return daemon.kick(syncName);
    }

    /** Waits for the runs that answer the kick, one per lane the daemon runs; a null timeout waits forever. */
    public KickOutcome awaitRun(String syncName, Kick kick, Duration timeout, Consumer<Duration> tick) {
        return awaitKick(kick, timeout, tick).outcome();
    }

    public KickResult awaitKick(Kick kick, Duration timeout, Consumer<Duration> tick) {
        return daemon.awaitKick(kick, timeout, tick);
    }

    /** {@code ibex ping}: how long the daemon took to answer through the repository; empty if none answered in time. */
    public Optional<Duration> ping(Duration timeout) {
        return daemon.ping(timeout);
    }

    /** Writes a line into the daemon's log ({@code ibex message TEXT}). */
    public void message(String text) {
        daemon.message(text);
    }

    /** Asks a running daemon to re-read every sync's options and tables. */
    public void reload() {
        daemon.reload();
    }

    /** Asks a running daemon to reopen its log file (after logrotate moved it); false when no daemon runs. */
    public boolean reopen() {
        if (!daemon.daemonRunning()) {
            return false;
        }
        daemon.reopen();
        return true;
    }

    /** {@code ibex check}: the syncs (every one when none is named) judged against the lag thresholds in seconds. */
    public HealthCheck.Result check(List<String> syncNames, double warnSeconds, double critSeconds, String version) {
        return new HealthCheck(this::openRepository, this::daemonAlive).check(syncNames, warnSeconds, critSeconds, version);
    }

    // ---------------------------------------------------------------- control of running syncs

    /** activate: status active (capture installed again if needed); the daemon starts the sync at once. */
    public List<String> activate(List<String> names) {
        return control.activate(names);
    }

    /** activate, saying per sync what became of its held tables (README, "Schema changes"): one line each. */
    public Map<String, List<String>> activateReporting(List<String> names) {
        return control.activateReporting(names);
    }

    public List<String> deactivate(List<String> names) {
        return control.deactivate(names);
    }

    /** pause: the sync keeps its capture and its place, but runs no more until resumed. */
    public List<String> pause(List<String> names) {
        return control.pause(names);
    }

    /** resume: the sync runs again at once and catches up what accumulated. */
    public List<String> resume(List<String> names) {
        return control.resume(names);
    }

    /** {@code ibex ddl SYNC "SQL"}: a schema change run on the source, and on each target at its point (README, "Schema changes"). */
    public DdlResult ddl(String sync, String statement) {
        return schema.ddl(sync, statement);
    }

    // ---------------------------------------------------------------- deltas and purge

    /** The backlog of one table on one source: change rows not yet received by the consumer furthest behind. */
    public record Delta(String db, String table, long rows) {
    }

    /** {@code ibex delta [DB ...]}: per source database and table, the changes still to deliver. */
    public List<Delta> delta(List<String> dbs) {
        return deltas.delta(dbs);
    }

    /** {@code ibex purge}: deletes the change rows every consumer has received, now rather than at the daemon's next turn. */
    public long purge() {
        return deltas.purge();
    }

    // ---------------------------------------------------------------- settings

    /** Checks the value (see {@code Settings.problem}) and stores it; a running daemon applies it at once. */
    public void set(String name, String value) {
        settings.set(name, value);
    }

    /** Every setting with its value (the default where none was set). */
    public Map<String, String> show() {
        return settings.show();
    }

    // ---------------------------------------------------------------- inspection and history

    /** What {@code inspect table} shows: the table's shape on its database and where ibex uses it. */
    public record TableInspection(Relation relation, TableInfo info, List<String> relgroups, List<String> syncs) {
    }

    public TableInspection inspectTable(String name) {
        return inspectTable(name, null);
    }

    /** db picks the table among those of the same name on several databases; null when there is no need. */
    public TableInspection inspectTable(String name, String dbName) {
        return inspection.inspectTable(name, dbName);
    }

    public List<Conflict> conflicts(String sync, int limit) {
        return reports.conflicts(sync, limit);
    }

    /** Progress of the full copies of a sync (onetimecopy, fullcopy): rows copied of rows estimated, per table and target. */
    public List<CopyProgress> copyProgress(String syncName) {
        return reports.copyProgress(syncName);
    }

    public Optional<SyncRun> lastRun(String syncName) {
        return reports.lastRun(syncName);
    }
}
