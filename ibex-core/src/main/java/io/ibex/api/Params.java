package io.ibex.api;

import io.ibex.IbexException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * key=value parameters of one command. Each key must be taken by the command; whatever is left over is an
 * error that names it, so a misspelled option never passes silently.
 */
public final class Params {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final String command;

    public Params(String command, Map<String, String> given) {
        this.command = command;
        given.forEach((k, v) -> values.put(k.toLowerCase(Locale.ROOT), v));
    }

    public static Params of(String command, Map<String, String> given) {
        return new Params(command, given);
    }

    /** The value of the first of these aliases that was given, taken out. */
    public String take(String... aliases) {
        String found = null;
        for (String a : aliases) {
            String v = values.remove(a);
            if (v != null && found == null) {
                found = v;
            }
        }
        return found;
    }

    public String require(String... aliases) {
        String v = take(aliases);
        if (v == null || v.isBlank()) {
            throw new IbexException(command + ": missing " + aliases[0] + "=...");
        }
        return v;
    }

    public Integer takeInt(String... aliases) {
        String v = take(aliases);
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IbexException(command + ": " + aliases[0] + " must be a whole number, not \"" + v + "\"");
        }
    }

    /** A TCP port, 1 to 65535, checked here so that a wrong one fails before any connection is tried. */
    public Integer takePort(String... aliases) {
        Integer port = takeInt(aliases);
        if (port != null && (port < 1 || port > 65535)) {
            throw new IbexException(command + ": " + aliases[0] + " must be a port number from 1 to 65535, not " + port);
        }
        return port;
    }

    public Boolean takeBool(String... aliases) {
        String v = take(aliases);
        return v == null ? null : bool(command, aliases[0], v);
    }

    public static boolean bool(String command, String key, String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "1", "t", "true", "on", "yes", "y" -> true;
            case "0", "f", "false", "off", "no", "n" -> false;
            default -> throw new IbexException(command + ": " + key + " must be on or off (1/0, true/false), not \"" + v + "\"");
        };
    }

    public String takeChoice(Set<String> allowed, String... aliases) {
        String v = take(aliases);
        if (v != null && !allowed.contains(v.toLowerCase(Locale.ROOT))) {
            throw new IbexException(command + ": " + aliases[0] + " must be one of " + String.join(", ", allowed.stream().sorted().toList())
                    + ", not \"" + v + "\"");
        }
        return v == null ? null : v.toLowerCase(Locale.ROOT);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** Fails if any parameter was not taken. */
    public void done() {
        if (!values.isEmpty()) {
            List<String> keys = List.copyOf(values.keySet());
            throw new IbexException(command + ": unknown parameter" + (keys.size() > 1 ? "s " : " ") + String.join(", ", keys));
        }
    }
}
