package io.ibex.api;

import io.ibex.IbexException;

import java.util.regex.Pattern;

/** The names ibex gives to its own objects: a letter, then letters, digits and underscores, as in Bucardo. */
final class Names {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,62}");

    private Names() {
    }

    static String check(String kind, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IbexException("invalid " + kind + " name \"" + (name == null ? "" : name)
                    + "\": use a letter followed by letters, digits or underscores (at most 63)");
        }
        return name;
    }
}
