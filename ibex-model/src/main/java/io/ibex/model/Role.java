package io.ibex.model;

import io.ibex.IbexException;

import java.util.Locale;

/** The part a database plays in a dbgroup. */
public enum Role {
    SOURCE, TARGET, FULLCOPY;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Bucardo's spellings: anything from s/mas/pri is a source, t/rep a target, f a fullcopy target. */
    public static Role parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("s") || t.startsWith("mas") || t.startsWith("pri")) {
            return SOURCE;
        }
        if (t.startsWith("t") || t.startsWith("rep")) {
            return TARGET;
        }
        if (t.startsWith("f")) {
            return FULLCOPY;
        }
        throw new IbexException("unknown role \"" + text + "\": use source, target or fullcopy");
    }
}
