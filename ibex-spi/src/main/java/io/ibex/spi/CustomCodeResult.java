package io.ibex.spi;

/**
 * What a {@link CustomCode} tells the run, as Bucardo's return values: {@link #ok()} (go on), {@link #message}
 * (logged, go on), {@link #warning} (logged as a warning, go on), {@link #error} (the run fails and is retried as
 * any failed run), {@link #skip} (the rest of this moment's chain is not run) and {@link #retry} (from an
 * {@code exception} code that repaired the rows: the batch is run again).
 */
public record CustomCodeResult(Outcome outcome, String text) {

    public enum Outcome { OK, MESSAGE, WARNING, ERROR, SKIP, RETRY }

    public static CustomCodeResult ok() {
        return new CustomCodeResult(Outcome.OK, "");
    }

    public static CustomCodeResult message(String text) {
        return new CustomCodeResult(Outcome.MESSAGE, text);
    }

    public static CustomCodeResult warning(String text) {
        return new CustomCodeResult(Outcome.WARNING, text);
    }

    public static CustomCodeResult error(String text) {
        return new CustomCodeResult(Outcome.ERROR, text);
    }

    public static CustomCodeResult skip() {
        return new CustomCodeResult(Outcome.SKIP, "");
    }

    public static CustomCodeResult retry(String text) {
        return new CustomCodeResult(Outcome.RETRY, text);
    }
}
