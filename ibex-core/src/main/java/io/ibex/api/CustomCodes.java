package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.engine.CustomCodeClasses;
import io.ibex.engine.Daemon;
import io.ibex.model.CustomCodeEntry;
import io.ibex.model.Relation;
import io.ibex.repository.Repository;
import io.ibex.spi.CustomCode;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code ibex add|update|remove|list customcode}: the Java classes syncs run at fixed moments (see {@link CustomCode}).
 * A change reaches a running daemon at once: every sync loads its custom code again before its next run.
 */
public final class CustomCodes extends RepositoryCommand {

    private static final Set<String> KEYS = Set.of("whenrun", "class", "sync", "relation", "priority");

    CustomCodes(Supplier<Repository> repositories) {
        super(repositories);
    }

    /** The whenrun values, as users type them. */
    public static List<String> moments() {
        return Arrays.stream(CustomCode.When.values()).map(CustomCode.When::label).toList();
    }

    public CustomCodeEntry add(String name, Map<String, String> given) {
        Names.check("customcode", name);
        try (Repository repo = openRepository()) {
            if (repo.customCodes().get(name).isPresent()) {
                throw new IbexException("add customcode: custom code \"" + name + "\" already exists (change it with 'ibex update customcode')");
            }
            Map<String, String> p = keys("add customcode", given);
            if (!p.containsKey("whenrun") || !p.containsKey("class")) {
                throw new IbexException("add customcode: give whenrun= and class= (see 'ibex help add')");
            }
            CustomCodeEntry e = checked(repo, "add customcode", new CustomCodeEntry(name, null, null, null, null, 0), p);
            repo.customCodes().add(e);
            repo.notify(Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
            return e;
        }
    }

    public CustomCodeEntry update(String name, Map<String, String> given) {
        try (Repository repo = openRepository()) {
            CustomCodeEntry old = repo.customCodes().get(name).orElseThrow(() -> unknown(name));
            CustomCodeEntry e = checked(repo, "update customcode", old, given);
            repo.customCodes().replace(e);
            repo.notify(Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
            return e;
        }
    }

    public void remove(String name) {
        try (Repository repo = openRepository()) {
            if (!repo.customCodes().remove(name)) {
                throw unknown(name);
            }
            repo.notify(Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
        }
    }

    public List<CustomCodeEntry> list() {
        try (Repository repo = openRepository()) {
            return repo.customCodes().list();
        }
    }

    private static IbexException unknown(String name) {
        return new IbexException("no custom code named \"" + name + "\" (see 'ibex list customcode')");
    }

    /** The entry with the given keys applied, each checked; a one-line error for the first bad one. */
    private static CustomCodeEntry checked(Repository repo, String command, CustomCodeEntry base, Map<String, String> given) {
        return checkedKeys(repo, command, base, keys(command, given));
    }

    /** The given keys in lower case; a one-line error for one that custom code does not take. */
    private static Map<String, String> keys(String command, Map<String, String> given) {
        Map<String, String> p = new HashMap<>();
        given.forEach((k, v) -> p.put(k.toLowerCase(Locale.ROOT), v));
        for (String k : p.keySet()) {
            if (k.equals("src_code")) {
                throw new IbexException(command + ": src_code= (Perl source) is not supported: write a Java class implementing "
                        + CustomCode.class.getName() + " and give class=");
            }
            if (!KEYS.contains(k)) {
                throw new IbexException(command + ": unknown parameter " + k + " (use whenrun, class, sync, relation, priority)");
            }
        }
        return p;
    }

    private static CustomCodeEntry checkedKeys(Repository repo, String command, CustomCodeEntry base, Map<String, String> p) {
        String whenrun = p.containsKey("whenrun") ? p.get("whenrun").trim().toLowerCase(Locale.ROOT) : base.whenrun();
        if (!moments().contains(whenrun)) {
            throw new IbexException(command + ": whenrun=" + whenrun + " is not a moment: use one of " + String.join(", ", moments()));
        }
        String cls = p.containsKey("class") ? p.get("class").trim() : base.className();
        if (p.containsKey("class")) {
            CustomCodeClasses.instantiate(cls);
        }
        String sync = p.containsKey("sync") ? blankToNull(p.get("sync")) : base.sync();
        String relation = p.containsKey("relation") ? blankToNull(p.get("relation")) : base.relation();
        if (p.containsKey("sync") && sync != null) {
            repo.sync(sync).orElseThrow(() -> new IbexException(command + ": no sync named \"" + p.get("sync") + "\""));
            relation = p.containsKey("relation") ? relation : null;
        }
        if (p.containsKey("relation") && relation != null) {
            relation = knownRelation(repo, command, relation);
            sync = p.containsKey("sync") ? sync : null;
        }
        if (sync != null && relation != null) {
            throw new IbexException(command + ": give sync= or relation=, not both");
        }
        int priority = base.priority();
        if (p.containsKey("priority")) {
            try {
                priority = Integer.parseInt(p.get("priority").trim());
            } catch (NumberFormatException e) {
                throw new IbexException(command + ": priority must be a whole number, not \"" + p.get("priority") + "\"");
            }
        }
        return new CustomCodeEntry(base.name(), whenrun, cls, sync, relation, priority);
    }

    /** schema.table of a table in the repository (a bare name is looked up in every schema). */
    private static String knownRelation(Repository repo, String command, String given) {
        List<String> matches = repo.relations().stream().filter(r -> !r.isSequence())
                .map(Relation::qualifiedName)
                .filter(q -> q.equals(given) || q.substring(q.indexOf('.') + 1).equals(given))
                .distinct().toList();
        if (matches.size() != 1) {
            throw new IbexException(command + ": relation=" + given + (matches.isEmpty() ? " is not a table ibex knows (add it with 'ibex add table')"
                    : " is ambiguous: say " + String.join(" or ", matches)));
        }
        return matches.get(0);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
