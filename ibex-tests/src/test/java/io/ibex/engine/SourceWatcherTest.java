package io.ibex.engine;

import io.ibex.model.Database;
import io.ibex.settings.Settings;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SourceWatcherTest {

    private static SourceWatcher idleWatcher() {
        Database db = new Database("src", "postgres", "localhost", 5432, "db", "u", null, "active", false, null);
        return new SourceWatcher(db, name -> { }, name -> true, Settings::defaults);
    }

    @Test
    void aWatcherWaitingForAKickToBeTakenWakesAsSoonAsASyncTakesIt() throws Exception {
        SourceWatcher w = idleWatcher();
        long seen = w.kicksTaken();
        long start = System.nanoTime();
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> w.awaitKickTaken(seen));
        Thread.sleep(100);
        assertThat(waited).isNotDone();
        w.kickTaken();
        assertThat(waited.get(500, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(900);
    }

    @Test
    void aKickTakenBeforeTheWaitBeginsIsNotMissed() {
        SourceWatcher w = idleWatcher();
        long seen = w.kicksTaken();
        w.kickTaken(); // between the watcher's look at the count and its wait
        long start = System.nanoTime();
        assertThat(w.awaitKickTaken(seen)).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(100);
    }

    @Test
    void withNoKickTakenTheWatcherLooksAgainAfterASecond() {
        SourceWatcher w = idleWatcher();
        long start = System.nanoTime();
        assertThat(w.awaitKickTaken(w.kicksTaken())).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(900L, 3000L);
    }

    @Test
    void aStoppedWatcherStopsWaiting() throws Exception {
        SourceWatcher w = idleWatcher();
        long seen = w.kicksTaken();
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> w.awaitKickTaken(seen));
        Thread.sleep(50);
        w.stop();
        w.kickTaken();
        assertThat(waited.get(500, TimeUnit.MILLISECONDS)).isFalse();
    }
}
