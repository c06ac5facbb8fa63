package io.ibex.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.fail;

/** Waiting for a condition, with databases that may be away meanwhile. */
public final class Waits {

    private Waits() {
    }

    public static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** A condition that may throw, such as a query. */
    public interface SqlCondition {
        boolean test() throws Exception;
    }

    /** A condition that is false, not an exception, while a database is away. */
    public static BooleanSupplier quietly(SqlCondition c) {
        return () -> {
            try {
                return c.test();
            } catch (Exception e) {
                return false;
            }
        };
    }
}
