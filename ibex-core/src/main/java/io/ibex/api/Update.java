package io.ibex.api;

import io.ibex.engine.CaptureSetup;
import io.ibex.IbexException;
import io.ibex.db.ConnectionSpec;
import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.spi.TargetRegistry;
import io.ibex.model.Relation;
import io.ibex.repository.Repository;
import io.ibex.model.Role;
import io.ibex.model.Sync;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/** {@code ibex update sync|db|table NAME key=value ...}: only known keys, each checked before anything changes. */
final class Update {
    private final Repository repo;
    private final boolean force;

    Update(Repository repo) {
        this(repo, false);
    }

    /** force: update db stores new connection settings without trying them first. */
    Update(Repository repo, boolean force) {
        this.repo = repo;
        this.force = force;
    }

    void update(String type, String name, Map<String, String> given) {
        if (given.isEmpty()) {
            throw new IbexException("update: give at least one key=value");
        }
        switch (ObjectType.parse(type)) {
            case SYNC -> updateSync(repo.requireSync(name), given);
            case DB -> updateDatabase(repo.requireDatabase(name), given);
            case TABLE, SEQUENCE -> updateRelation(name, given);
            default -> throw new IbexException("update: cannot update a " + type + " (use update sync, db or table)");
        }
    }

    private void updateSync(Sync s, Map<String, String> given) {
        Params p = Params.of("update sync", given);
        SyncOptions after = SyncOptions.of(s).with(p, "update sync");
        String ddl = p.takeChoice(Set.of("auto", "hold"), "ddl");
        String daemon = p.take("daemon");
        if (daemon != null && !daemon.isBlank()) {
            io.ibex.engine.DaemonIdentity.checkName(daemon.strip());
        }
        p.done();
        if (ddl != null) {
            repo.schemaChanges().setDdlMode(s.name(), ddl);
        }
        if (daemon != null) { // daemon=NAME pins the sync to that daemon; daemon= lets any daemon run it
            io.ibex.repository.Leases.pin(repo.connection(), s.name(), daemon.isBlank() ? null : daemon.strip());
        }
        Sync n = after.toSync(s.name(), s.relgroup(), s.dbgroup());
        set(s.status(), n.status(), v -> repo.updateSync(s.name(), "status", v));
        set(s.autokick(), n.autokick(), v -> repo.updateSync(s.name(), "autokick", v));
        set(s.checktimeSeconds(), n.checktimeSeconds(), v -> repo.updateSync(s.name(), "checktime", v));
        set(s.onetimecopy(), n.onetimecopy(), v -> repo.updateSync(s.name(), "onetimecopy", v));
        if (n.onetimecopy() > 0) {
            repo.positions().resetCopied(s.name());
        }
        set(s.stayalive(), n.stayalive(), v -> repo.updateSync(s.name(), "stayalive", v));
        set(s.kidsalive(), n.kidsalive(), v -> repo.updateSync(s.name(), "kidsalive", v));
        if (!Objects.equals(s.conflictStrategy(), n.conflictStrategy())) {
            SyncOptions.checkConflictStrategy(n.conflictStrategy(),
                    repo.requireDbGroup(s.dbgroup()).dbsWithRole(Role.SOURCE));
            repo.updateSync(s.name(), "conflict_strategy", n.conflictStrategy());
        }
        set(s.deletemethod(), n.deletemethod(), v -> repo.updateSync(s.name(), "deletemethod", v));
        set(s.analyzeAfterCopy(), n.analyzeAfterCopy(), v -> repo.updateSync(s.name(), "analyze_after_copy", v));
        set(s.rebuildIndex(), n.rebuildIndex(), v -> repo.updateSync(s.name(), "rebuild_index", v));
        if (!s.active() && n.active()) {
            CaptureSetup.install(repo, n);
        }
    }

    private static <T> void set(T before, T after, Consumer<T> write) {
        if (!Objects.equals(before, after)) {
            write.accept(after);
        }
    }

    private void updateDatabase(Database d, Map<String, String> given) {
        Params p = Params.of("update db", given);
        String dbname = p.take("dbname");
        String host = p.take("dbhost", "host", "pghost");
        Integer port = p.takePort("dbport", "port", "pgport");
        String user = p.take("dbuser", "user", "username");
        String pass = p.take("dbpass", "pass", "password");
        String status = p.takeChoice(Set.of("active", "inactive"), "status");
        Boolean makedelta = p.takeBool("makedelta");
        String replicaFunction = p.take("replica_function");
        String replicaMode = p.takeChoice(Set.of("auto", "none"), "replica_mode");
        p.done();
        if (!force && (dbname != null || host != null || port != null || user != null || pass != null)) {
            tryConnection(d, dbname, host, port, user, pass);
        }
        if (replicaMode != null) {
            repo.updateDatabase(d.name(), "replica_mode", replicaMode);
        }
        if (dbname != null) {
            repo.updateDatabase(d.name(), "dbname", dbname);
        }
        if (host != null) {
            repo.updateDatabase(d.name(), "dbhost", new ConnectionSpec(host, 1, "x", "x", null).host());
        }
        if (port != null) {
            repo.updateDatabase(d.name(), "dbport", port);
        }
        if (user != null) {
            repo.updateDatabase(d.name(), "dbuser", user);
        }
        if (pass != null) {
            repo.updateDatabase(d.name(), "dbpass", pass.isEmpty() ? null : pass);
        }
        if (status != null) {
            repo.updateDatabase(d.name(), "status", status);
        }
        if (makedelta != null) {
            repo.updateDatabase(d.name(), "makedelta", makedelta);
            recapture(d.name());
        }
        if (replicaFunction != null) {
            repo.updateDatabase(d.name(), "replica_function", replicaFunction.isEmpty() ? null : replicaFunction);
        }
    }

    /** As add db does: the new connection settings must reach the database (--force skips this). */
    private static void tryConnection(Database d, String dbname, String host, Integer port, String user, String pass) {
        Database tried = new Database(d.name(), d.type(), host != null ? host : d.host(), port != null ? port : d.port(),
                dbname != null ? dbname : d.dbname(), user != null ? user : d.user(),
                pass == null ? d.password() : pass.isEmpty() ? null : pass, d.status(), d.makedelta(), d.replicaFunction(), d.replicaMode());
        TargetRegistry.installed().require(tried).checkConnection(tried);
    }

    /** makedelta changed: the capture triggers of the syncs reading this database are rewritten to match. */
    private void recapture(String db) {
        for (Sync s : repo.syncs()) {
            if (repo.requireDbGroup(s.dbgroup()).dbsWithRole(Role.SOURCE).contains(db)) {
                CaptureSetup.install(repo, repo.requireSync(s.name()));
            }
        }
    }

    private void updateRelation(String name, Map<String, String> given) {
        Params p = Params.of("update table", given);
        Relation r = QualifiedName.findIn(repo, name, p.take("db", "database"));
        Boolean autokick = p.takeBool("autokick");
        Boolean makedelta = p.takeBool("makedelta");
        Integer rebuild = p.takeInt("rebuild_index");
        Boolean analyze = p.takeBool("analyze_after_copy");
        p.done();
        if (autokick != null) {
            repo.updateRelation(r.id(), "autokick", autokick);
        }
        if (makedelta != null) {
            repo.updateRelation(r.id(), "makedelta", makedelta);
            recapture(r.db());
        }
        if (rebuild != null) {
            repo.updateRelation(r.id(), "rebuild_index", rebuild);
        }
        if (analyze != null) {
            repo.updateRelation(r.id(), "analyze_after_copy", analyze);
        }
    }
}
