package io.ibex.engine;

import io.ibex.repository.CopyRanges;
import io.ibex.repository.Repository;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bookkeeping of a resumable onetimecopy to one target (ibex.copy_start, ibex.copy_range), on a repository
 * connection of its own so that the copy's workers can record each range as they go: a range is marked started
 * (committed, with the id of the target transaction that copies it, where the target tells ids) once that transaction
 * has begun, and done after it commits. A range found started but not done when the copy resumes may have committed
 * on the target: the target says whether that transaction did (the range is done) or not (it is copied again); a
 * target that cannot tell has the range's keys deleted before it is copied again.
 */
final class CopyLedger implements AutoCloseable {

    private final Repository repo;
    private final String sync;
    private final String target;
    private final String start;
    private final Map<String, List<CopyRanges.Range>> byTable = new HashMap<>();

    /** Opens the ledger of this copy: the one begun before (resumed) or a new one that starts at this position. */
    CopyLedger(Repository main, String sync, String target, String position) {
        this.repo = Repository.open(main.spec(), "ibex-copy-ledger");
        this.sync = sync;
        this.target = target;
        var begun = repo.copyRanges().start(sync, target);
        if (begun.isPresent()) {
            this.start = begun.get();
            for (CopyRanges.Range r : repo.copyRanges().ranges(sync, target)) {
                byTable.computeIfAbsent(r.table(), k -> new ArrayList<>()).add(r);
            }
        } else {
            this.start = position;
            repo.copyRanges().saveStart(sync, target, position);
        }
        repo.commit();
    }

    /** The position of the copy's first snapshot: where the changes made during the copy are read from. */
    String start() {
        return start;
    }

    boolean resumed() {
        return !byTable.isEmpty();
    }

    /** Whether this copy has begun the table before (so its rows on the target are this copy's own). */
    synchronized boolean knows(String table) {
        return byTable.containsKey(table);
    }

    synchronized boolean tableDone(String table) {
        return byTable.getOrDefault(table, List.of()).stream().anyMatch(r -> r.whole() && r.state().equals("done"));
    }

    /** The table's key ranges recorded before (a resumed copy), or empty. */
    synchronized List<CopyRanges.Range> ranges(String table) {
        return byTable.getOrDefault(table, List.of()).stream().filter(r -> !r.whole()).toList();
    }

    /** Records the table's ranges to do: of key values (unit key) or of the source's blocks (unit block). */
    synchronized void addRanges(String table, String unit, List<long[]> ranges) {
        repo.copyRanges().addRanges(sync, target, table, unit, ranges);
        repo.commit();
        List<CopyRanges.Range> list = byTable.computeIfAbsent(table, k -> new ArrayList<>());
        ranges.forEach(r -> list.add(new CopyRanges.Range(table, r[0], r[1], "todo", unit, null)));
    }

    /** Records, committed, that the target transaction of that id (null: unknown) copies the range from now on. */
    synchronized void started(String table, long lo, Long targetXid) {
        repo.copyRanges().markStarted(sync, target, table, lo, targetXid);
        repo.commit();
    }

    /** Records a range's (lo null: the whole table's) new state, committed. */
    synchronized void mark(String table, Long lo, String state) {
        repo.copyRanges().mark(sync, target, table, lo, state);
        repo.commit();
    }

    /** Forgets the copy, in the caller's repository transaction (with the position and the copied mark). */
    static void finish(Repository main, String sync, String target) {
        main.copyRanges().clear(sync, target);
    }

    @Override
    public void close() {
        repo.close();
    }
}
