package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.engine.Daemon;
import io.ibex.repository.Repository;
import io.ibex.settings.Settings;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/** {@code ibex set} and {@code ibex show}: the settings stored in the repository. */
final class SettingsCommands extends RepositoryCommand {
    SettingsCommands(Supplier<Repository> repositories) {
        super(repositories);
    }

    /** Checks the value (see {@link Settings#problem}) and stores it; a running daemon applies it at once. */
    void set(String name, String value) {
        Optional<String> refused = Settings.problem(name, value);
        if (refused.isPresent()) {
            throw new IbexException(refused.get());
        }
        try (Repository repo = openRepository()) {
            repo.settingTable().setSetting(name.toLowerCase(Locale.ROOT), value.toLowerCase(Locale.ROOT));
            repo.notify(Daemon.CONTROL_CHANNEL, "reload");
            repo.commit();
        }
    }

    /** Every setting with its value (the default where none was set). */
    Map<String, String> show() {
        try (Repository repo = openRepository()) {
            Map<String, String> out = new TreeMap<>(Settings.DEFAULTS);
            out.putAll(repo.settingTable().settings());
            return out;
        }
    }
}
