package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.engine.Daemon;
import io.ibex.engine.HeldTables;
import io.ibex.repository.Repository;
import io.ibex.model.Sync;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** {@code ibex activate|deactivate|pause|resume}: the state of running syncs, told to the daemon at once. */
final class SyncControl extends RepositoryCommand {
    private final Consumer<String> kick;

    /** kick: how a resumed sync is kicked (the facade's, so that it runs as a kick from the command line would). */
    SyncControl(Supplier<Repository> repositories, Consumer<String> kick) {
        super(repositories);
        this.kick = kick;
    }

    /** Syncs named, or every sync for "all"; % and * are wildcards. */
    private static List<Sync> select(Repository repo, List<String> names) {
        if (names.isEmpty()) {
            throw new IbexException("name the sync(s), or all");
        }
        List<Sync> out = new ArrayList<>();
        for (String n : names) {
            if (n.equals("all")) {
                return repo.syncs();
            }
            if (n.contains("%") || n.contains("*")) {
                String re = QualifiedName.likeToRegex(n);
                out.addAll(repo.syncs().stream().filter(s -> s.name().matches(re)).toList());
            } else {
                out.add(repo.requireSync(n));
            }
        }
        return out;
    }

    /** activate: status active (capture installed again if needed); the daemon starts the sync at once. */
    List<String> activate(List<String> names) {
        return new ArrayList<>(activateReporting(names).keySet());
    }

    /**
     * activate, and its held tables compared again: per sync, one line per held table, released or still held (see
     * HeldTables). A sync that holds tables is kicked after the comparison, so that its gate releases them at once.
     */
    Map<String, List<String>> activateReporting(List<String> names) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        // compared before the daemon hears of the activation: its gate may release them at once
        try (Repository repo = openRepository()) {
            for (Sync s : select(repo, names)) {
                out.put(s.name(), HeldTables.recheck(repo, s.name()));
            }
            repo.commit();
        }
        setStatus(names, "active");
        out.forEach((n, lines) -> {
            if (!lines.isEmpty()) {
                kick.accept(n);
            }
        });
        return out;
    }

    List<String> deactivate(List<String> names) {
        return setStatus(names, "inactive");
    }

    private List<String> setStatus(List<String> names, String status) {
        try (Repository repo = openRepository()) {
            List<String> done = new ArrayList<>();
            for (Sync s : select(repo, names)) {
                new Update(repo).update("sync", s.name(), Map.of("status", status));
                done.add(s.name());
            }
            repo.notify(Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
            return done;
        }
    }

    /** pause: the sync keeps its capture and its place, but runs no more until resumed. */
    List<String> pause(List<String> names) {
        return setPaused(names, true);
    }

    /** resume: the sync runs again at once and catches up what accumulated. */
    List<String> resume(List<String> names) {
        return setPaused(names, false);
    }

    private List<String> setPaused(List<String> names, boolean paused) {
        try (Repository repo = openRepository()) {
            List<String> done = new ArrayList<>();
            for (Sync s : select(repo, names)) {
                repo.updateSync(s.name(), "paused", paused);
                done.add(s.name());
            }
            repo.notify(Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
            if (!paused) {
                for (String n : done) {
                    kick.accept(n);
                }
            }
            return done;
        }
    }
}
