package io.ibex.it.othertargets;

import io.ibex.testkit.Replication;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** A write load on the source's acct and pair tables (updates, inserts, deletes, small transactions) until stopped. */
final class SourceLoad implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong changes = new AtomicLong();
    private final Thread thread;
    private volatile Exception failure;

    /** rows: the ids of acct the load updates and deletes among (1 to rows). */
    SourceLoad(Replication r, int rows) {
        thread = new Thread(() -> {
            try (Connection c = r.source(); Statement s = c.createStatement()) {
                int next = 1_000_000;
                while (running.get()) {
                    var rnd = ThreadLocalRandom.current();
                    int id = rnd.nextInt(1, rows);
                    c.setAutoCommit(false);
                    s.executeUpdate("UPDATE acct SET balance = balance + 1, note = 'n' || " + rnd.nextInt() + ", changed = now(), flag = NOT flag WHERE id = " + id);
                    s.executeUpdate("INSERT INTO acct VALUES (" + next++ + ", 0.01, E'tab\\there\\nnewline ☃', now(), NULL)");
                    s.executeUpdate("DELETE FROM acct WHERE id = " + rnd.nextInt(1, rows));
                    s.executeUpdate("UPDATE pair SET v = v + 1 WHERE a = " + rnd.nextInt(100));
                    c.commit();
                    changes.addAndGet(4);
                    Thread.sleep(5);
                }
            } catch (Exception e) {
                failure = e;
            }
        }, "source-load");
        thread.start();
    }

    void stop() throws Exception {
        running.set(false);
        thread.join();
        if (failure != null) {
            throw failure;
        }
    }

    long changes() {
        return changes.get();
    }

    @Override
    public void close() throws Exception {
        running.set(false);
        thread.join();
    }
}
