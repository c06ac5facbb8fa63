package io.ibex.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Splits {@code schema.table} the way SQL does: quoted parts kept as written ({@code ""} is a quote), others lower-cased. */
final class QualifiedName {
    private QualifiedName() {
    }

    static List<String> parse(String qualified) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < qualified.length(); i++) {
            char ch = qualified.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < qualified.length() && qualified.charAt(i + 1) == '"') {
                    part.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    part.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
                wasQuoted = true;
            } else if (ch == '.') {
                parts.add(finish(part, wasQuoted));
                part.setLength(0);
                wasQuoted = false;
            } else {
                part.append(ch);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quote in " + qualified);
        }
        parts.add(finish(part, wasQuoted));
        if (parts.size() > 2 || parts.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("not a [schema.]table name: " + qualified);
        }
        return parts;
    }

    private static String finish(StringBuilder part, boolean quoted) {
        String s = part.toString();
        return quoted ? s : s.trim().toLowerCase(Locale.ROOT);
    }
}
