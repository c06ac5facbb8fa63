package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.db.Pg;
import io.ibex.model.Database;
import io.ibex.model.Relation;
import io.ibex.model.Role;
import io.ibex.repository.PendingSchema;
import io.ibex.repository.Repository;
import io.ibex.spi.ChangeSources;
import io.ibex.spi.SchemaScript;
import io.ibex.spi.Target;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * create_tables: a copy into a target that lacks tables (or sequences) of its relgroup creates them from the source's
 * catalog first, in one target transaction, without keys and indexes; those (built in parallel, by table) and then the
 * foreign keys wait in the repository (ibex.pending_schema) until the rows are in, as pg_restore orders them, so that
 * a daemon killed in between still builds them after the copy it resumes.
 */
public final class TableCreator {

    private static final Logger log = LoggerFactory.getLogger(TableCreator.class);
    private static final String APP = "ibex-schema";
    /**
     * What a statement that ran before a crash (whose pending row stayed) says the second time: duplicate_table (an
     * index), invalid_table_definition (a second primary key), duplicate_object (a constraint).
     */
    private static final java.util.Set<String> ALREADY_THERE = java.util.Set.of("42P07", "42P16", "42710");

    private TableCreator() {
    }

    /** Whether a database of this role gets whole tables copied by the sync, so that create_tables applies to it. */
    public static boolean copies(SyncPlan plan, Role role) {
        return role == Role.FULLCOPY || role == Role.TARGET && plan.sync().onetimecopy() > 0;
    }

    /** What the target lacks of the plan's tables and sequences, as (schema, name) pairs. */
    public record Missing(List<String[]> tables, List<String[]> sequences) {
        public boolean isEmpty() {
            return tables.isEmpty() && sequences.isEmpty();
        }
    }

    public static Missing missing(SyncPlan plan, Target target) {
        List<String[]> tables = new ArrayList<>();
        List<String[]> sequences = new ArrayList<>();
        for (SyncPlan.Table t : plan.tables()) {
            if (!target.hasRelation(t.info().schema(), t.info().name())) {
                tables.add(new String[] {t.info().schema(), t.info().name()});
            }
        }
        for (Relation s : plan.sequences()) {
            if (!target.hasRelation(s.schema(), s.name())) {
                sequences.add(new String[] {s.schema(), s.name()});
            }
        }
        return new Missing(tables, sequences);
    }

    /** The statements that create what is missing, read from the plan's (first) source. */
    public static SchemaScript script(SyncPlan plan, Missing missing) {
        if (missing.isEmpty()) {
            return SchemaScript.empty();
        }
        Database source = plan.sources().get(0);
        try (Connection c = source.connection().openOrFail(APP, "source database \"" + source.name() + "\"")) {
            return ChangeSources.of(source).schemaScript(c, missing.tables(), missing.sequences());
        } catch (SQLException e) {
            throw new IbexException("source database \"" + source.name() + "\": cannot read the table definitions: " + Pg.firstLine(e), e);
        }
    }

    /**
     * Creates what the target lacks before its copy; the keys, indexes and foreign keys are recorded first (committed),
     * so that no crash loses them. Returns how many tables were created.
     */
    static int createMissing(Repository repo, SyncPlan plan, Database targetDb, Target target) {
        if (fromMapping(targetDb)) {
            return createMapped(plan, targetDb, target);
        }
        Missing missing = missing(plan, target);
        if (missing.isEmpty()) {
            return 0;
        }
        SchemaScript script = script(plan, missing);
        String sync = plan.sync().name();
        List<PendingSchema.Statement> already = repo.pendingSchema().pending(sync, targetDb.name());
        List<PendingSchema.Statement> after = new ArrayList<>();
        script.indexes().forEach((table, sqls) -> sqls.forEach(sql -> after.add(new PendingSchema.Statement(table, sql))));
        script.foreignKeys().forEach(sql -> after.add(new PendingSchema.Statement(null, sql)));
        repo.pendingSchema().add(sync, targetDb.name(), after.stream().filter(st -> !already.contains(st)).toList());
        repo.commit();
        long started = System.nanoTime();
        target.runSchema(script.create());
        log.info("KID ({}) Created {} table(s) and {} sequence(s) on {} from the source's catalog in {} ms ({} statement(s); {} "
                        + "key(s), index(es) and foreign key(s) after the rows)", sync, missing.tables().size(), missing.sequences().size(),
                targetDb.name(), (System.nanoTime() - started) / 1_000_000, script.create().size(), after.size());
        return missing.tables().size();
    }

    /** Whether the target makes a table it lacks from the source's columns in its own types (MariaDB, SQLite). */
    public static boolean fromMapping(Database targetDb) {
        return TargetRegistry.installed().require(targetDb).can(TargetCapability.TABLES_FROM_MAPPING);
    }

    /** For a {@link #fromMapping} target: the CREATE TABLE of each table of the plan it lacks (sequences stay on PostgreSQL). */
    public static List<String> mappedScript(SyncPlan plan, Target target) {
        List<String> statements = new ArrayList<>();
        for (SyncPlan.Table t : plan.tables()) {
            if (!target.hasRelation(t.info().schema(), t.info().name())) {
                statements.add(target.createTableStatement(t.info()));
            }
        }
        return statements;
    }

    /** The tables a {@link #fromMapping} target lacks, created with their primary keys (InnoDB orders rows by it). */
    private static int createMapped(SyncPlan plan, Database targetDb, Target target) {
        List<String> statements = mappedScript(plan, target);
        if (!statements.isEmpty()) {
            long started = System.nanoTime();
            target.runSchema(statements);
            log.info("KID ({}) Created {} table(s) on {} from the source's columns with the type mapping in {} ms", plan.sync().name(),
                    statements.size(), targetDb.name(), (System.nanoTime() - started) / 1_000_000);
        }
        return statements.size();
    }

    /**
     * Runs the statements pending after the copy and forgets them, up to parallelism at a time on connections of their
     * own: first every CREATE INDEX (several of one table at once: each takes a SHARE lock), then each table's other
     * statements in order (ADD CONSTRAINT, USING INDEX or not), then the foreign keys. A statement that finds its
     * object there already (it ran before a crash that kept its row) is passed over.
     */
    static void finishPending(Repository repo, SyncPlan plan, Database targetDb, Target target, java.util.function.Supplier<Target> more,
                              int parallelism) {
        String sync = plan.sync().name();
        List<PendingSchema.Statement> pending = repo.pendingSchema().pending(sync, targetDb.name());
        if (pending.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        List<List<String>> indexes = new ArrayList<>();
        Map<String, List<String>> byTable = new LinkedHashMap<>();
        List<String> foreignKeys = new ArrayList<>();
        for (PendingSchema.Statement st : pending) {
            if (st.table() == null) {
                foreignKeys.add(st.sql());
            } else if (st.sql().startsWith("CREATE ")) {
                indexes.add(List.of(st.sql()));
            } else {
                byTable.computeIfAbsent(st.table(), k -> new ArrayList<>()).add(st.sql());
            }
        }
        int workers = Math.max(1, Math.min(parallelism, Math.max(indexes.size(), byTable.size())));
        inParallel(targetDb, target, more, workers, indexes);
        inParallel(targetDb, target, more, workers, new ArrayList<>(byTable.values()));
        runEach(target, new ConcurrentLinkedQueue<>(List.of(foreignKeys)));
        repo.pendingSchema().clear(sync, targetDb.name());
        repo.commit();
        log.info("KID ({}) Built the keys and indexes of {} table(s) ({} statement(s), {} at a time) and added {} foreign key(s) on {} after "
                + "the rows in {} ms", sync, pending.stream().map(PendingSchema.Statement::table).filter(java.util.Objects::nonNull).distinct().count(),
                pending.size() - foreignKeys.size(), workers, foreignKeys.size(), targetDb.name(), (System.nanoTime() - started) / 1_000_000);
    }

    /** Runs the groups (each one's statements in order) by up to workers connections: the target given and more (fenced) ones. */
    private static void inParallel(Database targetDb, Target target, java.util.function.Supplier<Target> more, int most,
                                   List<List<String>> groups) {
        if (groups.isEmpty()) {
            return;
        }
        ConcurrentLinkedQueue<List<String>> tables = new ConcurrentLinkedQueue<>(groups);
        int workers = Math.max(1, Math.min(most, groups.size()));
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<?>> futures = new ArrayList<>();
            futures.add(pool.submit(() -> runEach(target, tables)));
            for (int w = 1; w < workers; w++) {
                futures.add(pool.submit(() -> {
                    try (Target own = more.get()) {
                        runEach(own, tables);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IbexException(Pg.firstLine(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IbexException("building the indexes on \"" + targetDb.name() + "\" was interrupted");
        } finally {
            tables.clear();
            pool.shutdownNow();
        }
    }

    private static void runEach(Target target, ConcurrentLinkedQueue<List<String>> groups) {
        for (List<String> group = groups.poll(); group != null; group = groups.poll()) {
            for (String statement : group) {
                try {
                    target.runSchema(List.of(statement));
                } catch (IbexException e) {
                    // an index attached before a crash: "already associated with a constraint"
                    boolean attached = "55000".equals(Pg.sqlState(e)) && statement.contains(" USING INDEX ");
                    if (!ALREADY_THERE.contains(Pg.sqlState(e)) && !attached) {
                        throw e;
                    }
                }
            }
        }
    }
}
