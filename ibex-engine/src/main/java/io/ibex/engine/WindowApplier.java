package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.spi.ForeignKeyOrder;
import io.ibex.spi.Target;
import io.ibex.model.TableInfo;
import io.ibex.engine.SyncRunner.BatchCounts;
import io.ibex.model.Database;
import io.ibex.spi.ChangeReader;
import io.ibex.spi.ChangeWindow;
import io.ibex.spi.CustomCode.When;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The read-apply step of every batch of one source to one target: a window's truncates and changed keys read from
 * the source (kept in spools), then applied in one target transaction (the keys deleted, their current rows copied).
 */
final class WindowApplier {

    private static final Logger log = LoggerFactory.getLogger(WindowApplier.class);

    private final SyncPlan plan;
    private final Database source;
    private final Target target;
    private final Database targetDb;
    private final CustomCodeChain hooks;

    WindowApplier(SyncPlan plan, Database source, Target target, Database targetDb, CustomCodeChain hooks) {
        this.hooks = hooks;
        this.plan = plan;
        this.source = source;
        this.target = target;
        this.targetDb = targetDb;
    }

    /**
     * Reads the window's truncates and changes of the tables and applies them in one target transaction; a table with
     * more change rows than the threshold is left out and returned, to be applied in slices. The source's read ends
     * before the target starts, unless rows too big to keep stream from it.
     */
    List<SyncPlan.Table> apply(ChangeReader session, ChangeWindow window, List<SyncPlan.Table> tables, long threshold, BatchCounts counts)
            throws SQLException {
        return apply(session, window, tables, threshold, counts, false);
    }

    /** Like the above; keepOpen: the source's read goes on after this (another window of the same read follows). */
    List<SyncPlan.Table> apply(ChangeReader session, ChangeWindow window, List<SyncPlan.Table> tables, long threshold, BatchCounts counts,
                               boolean keepOpen) throws SQLException {
        List<SyncPlan.Table> big = new ArrayList<>();
        try (Spools spools = new Spools()) {
            Map<TableInfo, Long> changeRows = session.changeCounts(tables.stream().map(SyncPlan.Table::info).toList(), window,
                    threshold == Long.MAX_VALUE ? 1 : threshold + 1);
            List<SyncPlan.Table> small = new ArrayList<>();
            for (SyncPlan.Table t : tables) {
                Long n = changeRows.get(t.info());
                if (n != null) {
                    (n > threshold ? big : small).add(t);
                }
            }
            Map<String, Long> counted = new LinkedHashMap<>();
            changeRows.forEach((t, n) -> counted.put(t.qualifiedName(), n));
            if (!counted.isEmpty()) {
                hooks.at(When.BEFORE_CHECK_ROWS, targetDb.name(), this::sessions, counted, false);
            }
            Changes changes = readChanges(session, window, tables, small, spools);
            if (changes != null) {
                if (!changes.live() && !keepOpen) {
                    session.close(); // the source's snapshot is let go before the target starts
                }
                applyChanges(changes, counts, counted);
            }
        } catch (IOException e) {
            throw new IbexException("cannot keep the changes read from \"" + source.name() + "\" in a temporary file: " + e.getMessage(), e);
        }
        return big;
    }

    /**
     * What a batch read from the source: the tables to truncate and the changed tables with their keys and current
     * rows. live: some rows were too big to keep and are still being read, with the tables after them (the
     * source's transaction must stay open until they are applied).
     */
    private record Changes(List<SyncPlan.Table> truncated, List<TableChanges> changed, boolean live) {
    }

    private record TableChanges(SyncPlan.Table table, Spools.Spool keys, Spools.Spool rows) {
    }

    /**
     * Reads a window's truncates and changes; null if there are none. tables: the tables whose truncates to read;
     * changed: those whose changes to read now (a big backlog's are read afterwards, in slices).
     */
    private Changes readChanges(ChangeReader session, ChangeWindow window, List<SyncPlan.Table> tables, List<SyncPlan.Table> changed,
                                Spools spools) throws SQLException, IOException {
        if (tables.isEmpty()) {
            return null; // a sequence-only sync captures nothing
        }
        List<SyncPlan.Table> truncated = new ArrayList<>();
        Set<String> truncatedNames = session.truncatedTables(window);
        for (SyncPlan.Table t : tables) {
            if (truncatedNames.contains(t.info().qualifiedName())) {
                truncated.add(t);
            }
        }
        if (changed.isEmpty() && truncated.isEmpty()) {
            return null;
        }
        List<TableChanges> read = new ArrayList<>();
        boolean live = false;
        for (SyncPlan.Table t : changed) {
            // while a live stream occupies the source, what follows it is read when its turn comes
            Spools.Spool keys = live ? () -> session.keys(t.info(), window) : spools.read(session.keys(t.info(), window));
            live |= keys.live();
            Spools.Spool rows = live ? () -> session.rows(t.info(), window) : spools.read(session.rows(t.info(), window));
            if (rows.live()) {
                live = true;
                log.info("KID Rows of {} exceed what a batch keeps ({} MB): streamed, the source's read open until they are applied",
                        t.info().qualifiedName(), Spools.TOTAL_BUDGET >> 20);
            }
            read.add(new TableChanges(t, keys, rows));
        }
        return new Changes(truncated, read, live);
    }

    /** Applies what a batch read, in one target transaction. */
    private void applyChanges(Changes changes, BatchCounts counts, Map<String, Long> keyCounts) throws IOException, SQLException {
        String sync = plan.sync().name();
        List<TableInfo> tables = new ArrayList<>();
        changes.truncated().forEach(t -> tables.add(t.info()));
        changes.changed().forEach(c -> tables.add(c.table().info()));
        ForeignKeyOrder order = target.foreignKeyOrder(tables.stream().distinct().toList());
        Map<String, Long> batch = new LinkedHashMap<>();
        tables.forEach(t -> batch.put(t.qualifiedName(), keyCounts.getOrDefault(t.qualifiedName(), 0L)));
        hooks.at(When.BEFORE_TXN, targetDb.name(), this::sessions, batch, false);
        target.begin();
        hooks.at(When.BEFORE_TRIGGER_DROP, targetDb.name(), this::sessions, batch, true);
        for (SyncPlan.Table t : order.childrenFirst(changes.truncated(), SyncPlan.Table::info)) {
            target.truncate(t.info());
            counts.truncates++;
            log.info("KID ({}) Truncated {}.{} on {}", sync, source.name(), t.info().qualifiedName(), targetDb.name());
        }
        List<Target.Change> replace = new ArrayList<>();
        changes.changed().forEach(c -> replace.add(new Target.Change(c.table().info(), c.keys()::open, c.rows()::open)));
        List<long[]> counted = target.replaceAll(replace);
        for (int i = 0; i < counted.size(); i++) {
            SyncPlan.Table t = changes.changed().get(i).table();
            long[] r = counted.get(i);
            long deleted = r[0];
            long inserted = r[1];
            counts.deletes += deleted;
            counts.inserts += inserted;
            log.info("KID ({}) Delta count for {}.{} : {} (deleted {}, inserted {} on {})", sync, source.name(),
                    t.info().qualifiedName(), Math.max(deleted, inserted), deleted, inserted, targetDb.name());
        }
        hooks.at(When.AFTER_TRIGGER_DROP, targetDb.name(), this::sessions, batch, true);
        target.commit();
        hooks.at(When.AFTER_TXN, targetDb.name(), this::sessions, batch, false);
    }

    /** The target's session, for custom code (the source's is busy reading). */
    private Map<String, java.sql.Connection> sessions() {
        return target.session().map(c -> Map.of(targetDb.name(), c)).orElse(Map.of());
    }
}
