package io.ibex.cli;

import io.ibex.IbexException;
import io.ibex.api.ObjectType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The part of a command's help page about one kind of object ({@code ibex help add sync}): its usage lines, its
 * paragraph and its examples. A page without such a part is shown whole.
 */
final class HelpSection {
    private HelpSection() {
    }

    /** The section of page for "VERB OBJECT", or null if the page has none for that object. */
    static String of(String page, String verb, String objectWord) {
        String object;
        try {
            ObjectType t = ObjectType.parse(objectWord);
            object = t == ObjectType.ALL ? "all" : t.name().toLowerCase(Locale.ROOT);
        } catch (IbexException e) {
            return null;
        }
        String command = verb + " " + object;
        List<String> lines = page.lines().toList();
        List<String> usage = new ArrayList<>();
        List<String> paragraph = new ArrayList<>();
        List<String> examples = new ArrayList<>();
        String block = "usage";
        int paragraphIndent = -1;
        boolean inUsageItem = false;
        for (String line : lines) {
            String s = line.strip();
            int indent = line.length() - line.stripLeading().length();
            if (s.startsWith("Examples:") || s.startsWith("Example:")) {
                block = "examples";
                continue;
            }
            if (s.startsWith("Prints")) {
                block = "prints";
                continue;
            }
            if (block.equals("usage")) {
                if (s.isEmpty()) {
                    block = "text";
                } else if (s.contains("ibex " + command + " ") || s.endsWith("ibex " + command)) {
                    usage.add("  " + s.substring(s.indexOf("ibex ")));
                    inUsageItem = true;
                } else if (inUsageItem && !s.contains("ibex ")) {
                    usage.add(line);
                } else {
                    inUsageItem = false;
                }
            } else if (block.equals("text")) {
                if (paragraphIndent >= 0 && (indent <= paragraphIndent || s.isEmpty())) {
                    paragraphIndent = -2; // the paragraph ended
                } else if (paragraphIndent == -1 && (s.startsWith(command + ":") || s.startsWith(command + " "))) {
                    paragraphIndent = indent;
                }
                if (paragraphIndent >= 0) {
                    paragraph.add(line.substring(Math.min(indent, paragraphIndent)));
                }
            } else if (block.equals("examples") && s.startsWith("ibex " + command)) {
                examples.add("  " + s);
            }
        }
        if (usage.isEmpty() || paragraph.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder("Usage:\n");
        usage.forEach(u -> sb.append(u).append('\n'));
        sb.append('\n');
        paragraph.forEach(p -> sb.append(p).append('\n'));
        if (!examples.isEmpty()) {
            sb.append('\n').append(examples.size() > 1 ? "Examples:" : "Example:").append('\n');
            examples.forEach(e -> sb.append(e).append('\n'));
        }
        sb.append("\n(the whole page: ibex help ").append(verb).append(')');
        return sb.toString();
    }
}
