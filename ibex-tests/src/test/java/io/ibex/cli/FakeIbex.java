package io.ibex.cli;

import io.ibex.repository.Conflict;
import io.ibex.api.Ibex;
import io.ibex.api.SyncStatus;
import io.ibex.db.ConnectionSpec;
import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.RelGroup;
import io.ibex.model.Relation;
import io.ibex.model.Role;
import io.ibex.model.Sync;
import io.ibex.settings.Settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The API without a database: returns what the walkthrough's repository would hold, and records the calls. */
class FakeIbex extends Ibex {
    final List<String> calls = new ArrayList<>();
    List<Database> databases = new ArrayList<>();
    List<Relation> relations = new ArrayList<>();
    List<RelGroup> relGroups = new ArrayList<>();
    List<DbGroup> dbGroups = new ArrayList<>();
    List<Sync> syncs = new ArrayList<>();
    List<SyncStatus> statuses = new ArrayList<>();
    /** What verify returns; its progress calls are replayed from {@link #progress}. */
    Verification verification = new Verification("sync_pg84_rds96", "pgdb84", List.of());
    /** table, target, done, total: the progress calls verify makes. */
    List<Object[]> progress = new ArrayList<>();
    CutoverReport cutover;
    List<String> cutoverLines = new ArrayList<>();
    List<Delta> deltas = new ArrayList<>();
    long purged;
    Map<String, String> settings = new java.util.TreeMap<>(Settings.DEFAULTS);
    List<Conflict> conflicts = new ArrayList<>();
    TableInspection inspection;
    Validation validation;

    List<io.ibex.model.DaemonInfo> daemons = new ArrayList<>();

    FakeIbex(ConnectionSpec spec) {
        super(spec);
    }

    @Override
    public List<io.ibex.model.DaemonInfo> daemons() {
        return daemons;
    }

    static Relation table(long id, String name, String pk) {
        return new Relation(id, "pgdb84", "public", name, "table", List.of(pk), List.of("integer"), null, null, null, null);
    }

    static Sync sync(String name) {
        return new Sync(name, "herd_pg84", "pgdb84_to_rds96", "active", false, true, null, 0, true, true, "latest", "delete", true, 0);
    }

    @Override
    public InstallOutcome install() {
        calls.add("install");
        return calls.stream().filter("install"::equals).count() > 1 ? InstallOutcome.ALREADY_INSTALLED : InstallOutcome.INSTALLED;
    }

    /** The outcome upgrade returns: from 1 to 2 the first time, then up to date. */
    @Override
    public UpgradeOutcome upgrade() {
        calls.add("upgrade");
        return calls.stream().filter("upgrade"::equals).count() > 1 ? new UpgradeOutcome(2, 2) : new UpgradeOutcome(1, 2);
    }

    @Override
    public Database addDatabase(String name, Map<String, String> given, boolean force) {
        calls.add("addDatabase " + name + " " + given + " force=" + force);
        return new Database(name, "postgres", given.get("dbhost"), 5432, given.get("dbname"), given.get("dbuser"), given.get("dbpass"),
                "active", false, null);
    }

    @Override
    public List<Database> databases() {
        return databases;
    }

    @Override
    public AddTablesResult addTables(List<String> patterns, Map<String, String> given, boolean sequences) {
        calls.add("addTables " + patterns + " " + given + " sequences=" + sequences);
        List<Relation> added = new ArrayList<>();
        long id = 1;
        for (String p : patterns) {
            added.add(table(id++, p, "id"));
        }
        String rg = given.getOrDefault("relgroup", given.get("herd"));
        return new AddTablesResult(rg, rg != null, added, List.of());
    }

    @Override
    public AddTablesResult addAllTables(Map<String, String> given, TableFilter filter, boolean sequences) {
        calls.add("addAllTables " + given + " " + filter + " sequences=" + sequences);
        return new AddTablesResult(given.get("relgroup"), false, List.of(table(1, "a", "id")), List.of(table(2, "b", "id")));
    }

    @Override
    public AddTablesResult addRelGroup(String name, List<String> members, Map<String, String> given) {
        calls.add("addRelGroup " + name + " " + members);
        return new AddTablesResult(name, true, members.stream().map(m -> table(1, m, "id")).toList(), List.of());
    }

    @Override
    public DbGroup addDbGroup(String name, List<String> items) {
        calls.add("addDbGroup " + name + " " + items);
        return new DbGroup(name, items.stream().map(i -> new DbGroup.Member(i.split(":")[0], Role.parse(i.split(":")[1]))).toList());
    }

    @Override
    public AddSyncResult addSync(String name, Map<String, String> given) {
        calls.add("addSync " + name + " " + given);
        return new AddSyncResult(sync(name), "dbgrp84_96", false, "herd_pg84", false, List.of("pgdb84"));
    }

    @Override
    public List<Relation> relations() {
        return relations;
    }

    @Override
    public List<RelGroup> relGroups() {
        return relGroups;
    }

    @Override
    public List<DbGroup> dbGroups() {
        return dbGroups;
    }

    @Override
    public List<Sync> syncs() {
        return syncs;
    }

    /** What a kick that waits comes to. */
    KickResult kickResult = new KickResult(KickOutcome.DONE, List.of(), List.of());

    @Override
    public Kick kick(String syncName) {
        calls.add("kick " + syncName);
        return new Kick(syncName, 1, java.time.OffsetDateTime.now());
    }

    @Override
    public KickResult awaitKick(Kick kick, java.time.Duration timeout, java.util.function.Consumer<java.time.Duration> tick) {
        return kickResult;
    }

    @Override
    public void remove(String type, String name, String db, boolean force) {
        calls.add("remove " + type + " " + name + (db == null ? "" : " db=" + db) + " force=" + force);
    }

    @Override
    public void update(String type, String name, Map<String, String> given, boolean force) {
        calls.add("update " + type + " " + name + " " + given);
    }

    @Override
    public List<SyncStatus> status() {
        return statuses;
    }

    @Override
    public SyncStatus status(String sync) {
        return statuses.stream().filter(s -> s.sync().name().equals(sync)).findFirst()
                .orElseThrow(() -> new io.ibex.IbexException("there is no sync named \"" + sync + "\""));
    }

    @Override
    public Validation validate(String syncName) {
        calls.add("validate " + syncName);
        if (syncName.equals("broken")) {
            throw new io.ibex.IbexException("table public.t has no primary key");
        }
        return validation != null ? validation : new Validation(null, java.util.Map.of("rds96", "SET session_replication_role"));
    }

    @Override
    public Verification verify(String syncName, List<String> tables, int maxKeys, VerifyProgress p) {
        calls.add("verify " + syncName + " " + tables + " maxKeys=" + maxKeys);
        for (Object[] u : progress) {
            p.update((String) u[0], (String) u[1], (Long) u[2], (Long) u[3]);
        }
        return verification;
    }

    @Override
    public CutoverReport cutover(String syncName, java.time.Duration timeout, java.util.function.Consumer<String> lines, VerifyProgress p) {
        calls.add("cutover " + syncName + " timeout=" + timeout.toSeconds());
        cutoverLines.forEach(lines);
        if (cutover.verification() != null) {
            for (Object[] u : progress) {
                p.update((String) u[0], (String) u[1], (Long) u[2], (Long) u[3]);
            }
        }
        return cutover;
    }

    @Override
    public List<Delta> delta(List<String> dbs) {
        calls.add("delta " + dbs);
        return deltas.stream().filter(d -> dbs.isEmpty() || dbs.contains(d.db())).toList();
    }

    @Override
    public long purge() {
        calls.add("purge");
        return purged;
    }

    @Override
    public void set(String name, String value) {
        calls.add("set " + name + "=" + value);
        if (!Settings.DEFAULTS.containsKey(name.toLowerCase(java.util.Locale.ROOT))) {
            throw new io.ibex.IbexException("unknown setting \"" + name + "\"");
        }
        settings.put(name.toLowerCase(java.util.Locale.ROOT), value);
    }

    @Override
    public Map<String, String> show() {
        return settings;
    }

    @Override
    public List<Conflict> conflicts(String sync, int limit) {
        calls.add("conflicts " + sync + " limit=" + limit);
        return conflicts.stream().filter(c -> sync == null || c.sync().equals(sync)).limit(limit).toList();
    }

    /** What emptyTargetWarnings returns, for every sync. */
    List<String> emptyTargetWarnings = new ArrayList<>();

    @Override
    public List<String> emptyTargetWarnings(String sync) {
        return emptyTargetWarnings;
    }

    @Override
    public TableInspection inspectTable(String name, String db) {
        calls.add("inspectTable " + name + (db == null ? "" : " db=" + db));
        if (inspection == null) {
            throw new io.ibex.IbexException("there is no table named \"" + name + "\"");
        }
        return inspection;
    }

    @Override
    public List<String> activate(List<String> names) {
        return new java.util.ArrayList<>(activateReporting(names).keySet());
    }

    @Override
    public Map<String, List<String>> activateReporting(List<String> names) {
        calls.add("activate " + names);
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        names.forEach(n -> out.put(n, List.of()));
        return out;
    }

    @Override
    public List<String> pause(List<String> names) {
        calls.add("pause " + names);
        return names;
    }

    @Override
    public void message(String text) {
        calls.add("message " + text);
    }
}
