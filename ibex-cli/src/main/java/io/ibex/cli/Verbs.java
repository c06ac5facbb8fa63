package io.ibex.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The verbs of the grammar and Bucardo's aliases and typos for them. */
final class Verbs {

    /** Every verb, in the order help lists them (daemon is hidden). */
    static final List<String> ALL = List.of("install", "upgrade", "add", "list", "update", "remove", "start", "stop", "restart", "status",
            "kick", "ping", "activate", "deactivate", "pause", "resume", "reload", "reopen", "check", "validate", "inspect", "verify", "copy", "cutover", "ddl", "delta", "purge",
            "set", "show", "sql", "message", "demo", "help", "version", "daemon");

    private static final Set<String> KNOWN = Set.copyOf(ALL);

    private Verbs() {
    }

    /** The canonical verb for a word, or null if it is none. */
    static String normalize(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        if (KNOWN.contains(w)) {
            return w;
        }
        if (w.startsWith("vali")) {
            return "validate";
        }
        return switch (w) {
            case "l", "ls", "lsit", "liast", "lisy", "lit" -> "list";
            case "delete", "del", "rm" -> "remove";
            case "upd", "udpate" -> "update";
            case "strt" -> "start";
            case "msg" -> "message";
            default -> null;
        };
    }

    /**
     * The words with the verb made canonical and {@code verb_noun} split ({@code add_table x} becomes
     * {@code add table x}); an unknown verb is left as it is, for the caller to report.
     */
    static List<String> split(List<String> words) {
        if (words.isEmpty()) {
            return words;
        }
        List<String> out = new ArrayList<>();
        String first = words.get(0);
        String verb = normalize(first);
        int us = first.indexOf('_');
        if (verb == null && us > 0 && normalize(first.substring(0, us)) != null) {
            out.add(normalize(first.substring(0, us)));
            out.add(first.substring(us + 1));
        } else {
            out.add(verb == null ? first : verb);
        }
        out.addAll(words.subList(1, words.size()));
        return out;
    }
}
