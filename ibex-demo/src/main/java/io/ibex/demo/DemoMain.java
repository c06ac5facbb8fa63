package io.ibex.demo;

import io.ibex.cli.Main;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bin/ibex demo [key=value ...]}: the demo, driving the product's own command line. The demo lives beside the
 * product (its jar carries the embedded PostgreSQL binaries and the load), so it may use the CLI; the CLI knows
 * nothing of it.
 */
public final class DemoMain {

    private DemoMain() {
    }

    public static void main(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq > 0) {
                options.put(a.substring(0, eq).toLowerCase(Locale.ROOT), a.substring(eq + 1));
            } else {
                options.put(a.toLowerCase(Locale.ROOT), "true");
            }
        }
        System.exit(Demo.run(System.out, options, Main::run));
    }
}
