package io.ibex.settings;

import java.util.Locale;
import java.util.Optional;

/**
 * Where the daemon serves {@code /metrics} and its status page: {@code HOST:PORT} (an IPv6 host in brackets,
 * {@code [::1]:9187}), or {@code off}.
 *
 * @param host empty when off
 * @param port 0 when off
 */
public record HttpListen(String host, int port) {

    public static final String DEFAULT = "127.0.0.1:9187";
    public static final HttpListen OFF = new HttpListen("", 0);

    public boolean off() {
        return port == 0;
    }

    /** The setting's text for this value. */
    public String text() {
        return off() ? "off" : (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The value of a setting that {@link #problem} accepts. */
    public static HttpListen parse(String value) {
        String v = value.strip();
        if (v.toLowerCase(Locale.ROOT).equals("off")) {
            return OFF;
        }
        int colon = v.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(sentence(value));
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(sentence(value));
        }
        if (port < 1 || port > 65535 || host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(sentence(value));
        }
        return new HttpListen(host, port);
    }

    /** The sentence that refuses this value, if it is refused. */
    public static Optional<String> problem(String value) {
        try {
            parse(value);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static String sentence(String value) {
        return "http_listen must be HOST:PORT (port 1-65535) or off, not \"" + value + "\"";
    }
}
