package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.db.Pg;
import io.ibex.model.CustomCodeEntry;
import io.ibex.repository.Repository;
import io.ibex.spi.ConflictResolver;
import io.ibex.spi.CustomCode;
import io.ibex.spi.CustomCode.When;
import io.ibex.spi.CustomCodeContext;
import io.ibex.spi.CustomCodeResult;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The custom code of one sync (see {@link CustomCode}), loaded from the repository when the sync's plan is made: per
 * moment, the chain of codes that apply to it, run in priority order. A chain's {@code error} fails the run;
 * {@code skip} ends the chain; {@code retry} is reported to the caller, which runs the batch again.
 */
final class CustomCodeChain {

    private static final Logger log = LoggerFactory.getLogger(CustomCodeChain.class);
    /** How often one run is retried after exception code asked for it, before its failure stands. */
    static final int RETRY_LIMIT = 5;

    private record Loaded(CustomCodeEntry entry, CustomCode code) {
    }

    private final String sync;
    private final Map<When, List<Loaded>> chains = new EnumMap<>(When.class);
    /** The tables and key counts applied since before_sync (after_txn), for after_sync. */
    private final Map<String, Long> runTables = new LinkedHashMap<>();

    private CustomCodeChain(String sync) {
        this.sync = sync;
    }

    static final CustomCodeChain NONE = new CustomCodeChain("");

    /** The codes registered for the sync itself, for every sync, or for one of its tables. */
    static CustomCodeChain load(Repository repo, SyncPlan plan) {
        Set<String> tables = new java.util.HashSet<>();
        plan.tables().forEach(t -> tables.add(t.info().qualifiedName()));
        CustomCodeChain chain = new CustomCodeChain(plan.sync().name());
        for (CustomCodeEntry e : repo.customCodes().list()) {
            boolean applies = e.sync() != null ? e.sync().equals(plan.sync().name())
                    : e.relation() == null || tables.contains(e.relation());
            if (applies) {
                When when = When.valueOf(e.whenrun().toUpperCase(Locale.ROOT));
                chain.chains.computeIfAbsent(when, w -> new ArrayList<>()).add(new Loaded(e, CustomCodeClasses.instantiate(e.className())));
            }
        }
        return chain;
    }

    boolean has(When when) {
        return chains.containsKey(when);
    }

    /** What a moment's chain asks of the run. */
    enum Next { GO_ON, RETRY }

    /**
     * Runs a moment's chain, if the moment has one. sessions: the databases' sessions, opened only if a chain runs.
     * inTransaction: the sessions are inside ibex's apply transaction (left open); otherwise each is committed after
     * the chain.
     */
    Next at(When when, String database, Supplier<Map<String, Connection>> sessions, Map<String, Long> tables, boolean inTransaction) {
        if (when == When.BEFORE_SYNC) {
            runTables.clear();
        }
        if (when == When.AFTER_TXN) {
            tables.forEach((t, n) -> runTables.merge(t, n, Long::sum));
        }
        if (!has(when)) {
            return Next.GO_ON;
        }
        Map<String, Long> seen = when == When.AFTER_SYNC ? new LinkedHashMap<>(runTables) : tables;
        return run(new CustomCodeMoment(sync, when, database, sessions.get(), seen, null, null, null, 0), inTransaction);
    }

    /** Runs the conflict chain; returns the winner, the strategy's unless a code changed it. */
    String onConflict(ConflictResolver.Conflict conflict, String winner, Supplier<Map<String, Connection>> sessions) {
        if (!has(When.CONFLICT)) {
            return winner;
        }
        CustomCodeMoment m = new CustomCodeMoment(sync, When.CONFLICT, null, sessions.get(),
                Map.of(conflict.schema() + "." + conflict.table(), 1L), null, conflict, winner, 0);
        run(m, true);
        return m.winner();
    }

    /** One try of a batch, which may fail on the data. */
    interface Attempt<T> {
        T run() throws Exception;
    }

    /**
     * Runs a batch; when it fails on the data (an error the server raised) and exception code is registered,
     * rollback is run, the exception chain is given the failure, and the batch runs again if a code asked for a
     * retry (up to RETRY_LIMIT times). Any other failure, or one no code asked to retry, is thrown as it came.
     */
    <T> T retrying(Supplier<String> database, Supplier<Map<String, Connection>> sessions, Runnable rollback, Attempt<T> attempt)
            throws Exception {
        for (int retries = 0; ; retries++) {
            try {
                return attempt.run();
            } catch (Exception e) {
                CustomCodeContext.Failure f = failureOf(database.get(), e);
                if (!has(When.EXCEPTION) || retries >= RETRY_LIMIT || f.sqlState() == null) {
                    throw e;
                }
                rollback.run();
                Map<String, Long> tables = f.table() == null ? Map.of() : Map.of(f.table(), 0L);
                log.info("KID ({}) Apply failed on {} ({} {}): running the exception custom code", sync, f.database(), f.sqlState(), f.message());
                if (run(new CustomCodeMoment(sync, When.EXCEPTION, f.database(), sessions.get(), tables, f, null, null, retries), false)
                        != Next.RETRY) {
                    throw e;
                }
            }
        }
    }

    private Next run(CustomCodeMoment moment, boolean inTransaction) {
        Next next = Next.GO_ON;
        for (Loaded l : chains.get(moment.when())) {
            String relation = l.entry().relation();
            if (relation != null && !moment.tables().isEmpty() && !moment.tables().containsKey(relation)) {
                continue;
            }
            CustomCodeResult r;
            try {
                r = l.code().run(moment);
            } catch (Exception | LinkageError e) {
                r = CustomCodeResult.error(e.getClass().getSimpleName() + ": " + Pg.firstLine(e));
            }
            String text = r == null || r.text() == null ? "" : r.text();
            String who = "custom code \"" + l.entry().name() + "\" (" + moment.when().label() + ")";
            CustomCodeResult.Outcome outcome = r == null ? CustomCodeResult.Outcome.OK : r.outcome();
            switch (outcome) {
                case MESSAGE -> log.info("KID ({}) {}: {}", sync, who, text);
                case WARNING -> log.warn("KID ({}) {} warns: {}", sync, who, text);
                case ERROR -> throw new IbexException(who + " failed the run: " + text);
                case RETRY -> {
                    log.info("KID ({}) {} asks for a retry{}", sync, who, text.isEmpty() ? "" : ": " + text);
                    next = Next.RETRY;
                }
                default -> {
                }
            }
            if (outcome == CustomCodeResult.Outcome.SKIP) {
                break;
            }
        }
        if (!inTransaction) {
            commitAll(moment.databases());
        }
        return next;
    }

    private static void commitAll(Map<String, Connection> sessions) {
        sessions.forEach((db, c) -> {
            try {
                c.commit();
            } catch (SQLException e) {
                throw new IbexException("database \"" + db + "\": cannot commit what custom code wrote: " + Pg.firstLine(e), e);
            }
        });
    }

    /** What the server said about a failure (from the PostgreSQL error in the cause chain, where there is one). */
    static CustomCodeContext.Failure failureOf(String database, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PSQLException p && p.getServerErrorMessage() != null) {
                ServerErrorMessage m = p.getServerErrorMessage();
                String table = m.getTable() == null ? null : (m.getSchema() == null ? "" : m.getSchema() + ".") + m.getTable();
                return new CustomCodeContext.Failure(database, table, p.getSQLState(), m.getMessage(), m.getDetail(), m.getConstraint());
            }
        }
        return new CustomCodeContext.Failure(database, null, null, Pg.firstLine(e), null, null);
    }
}
