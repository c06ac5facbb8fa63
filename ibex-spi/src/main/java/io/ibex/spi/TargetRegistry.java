package io.ibex.spi;

import io.ibex.IbexException;
import io.ibex.model.Database;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/** The target adapters there are, by type and alias: those on the class path, or a given list (tests). Immutable. */
public final class TargetRegistry {

    private final Map<String, TargetProvider> byName;
    private final List<String> types;

    private TargetRegistry(List<TargetProvider> providers) {
        Map<String, TargetProvider> names = new LinkedHashMap<>();
        List<String> canonical = new ArrayList<>();
        for (TargetProvider p : providers) {
            canonical.add(p.type());
            register(names, p.type(), p);
            p.aliases().forEach(a -> register(names, a, p));
        }
        this.byName = Map.copyOf(names);
        this.types = canonical.stream().sorted().toList();
    }

    private static void register(Map<String, TargetProvider> names, String name, TargetProvider p) {
        TargetProvider before = names.putIfAbsent(name.toLowerCase(Locale.ROOT), p);
        if (before != null && before != p) {
            throw new IllegalStateException("two target adapters answer to database type " + name + ": "
                    + before.getClass().getName() + " and " + p.getClass().getName());
        }
    }

    /** The registry of the adapters on the class path, loaded once. */
    public static TargetRegistry installed() {
        return Installed.REGISTRY;
    }

    private static final class Installed {
        static final TargetRegistry REGISTRY = of(ServiceLoader.load(TargetProvider.class, TargetRegistry.class.getClassLoader())
                .stream().map(ServiceLoader.Provider::get).toList());
    }

    public static TargetRegistry of(List<TargetProvider> providers) {
        return new TargetRegistry(providers);
    }

    /** The provider for a type or one of its aliases, in any case. */
    public Optional<TargetProvider> find(String type) {
        return type == null ? Optional.empty() : Optional.ofNullable(byName.get(type.toLowerCase(Locale.ROOT)));
    }

    /** The provider for a type given by the user, or a one-line error that lists the types there are. */
    public TargetProvider require(String type) {
        return find(type).orElseThrow(() -> new IbexException("unknown database type \"" + type + "\": one of " + String.join(", ", types)));
    }

    /** The provider of a stored database, or a one-line error that names it. */
    public TargetProvider require(Database db) {
        return find(db.type()).orElseThrow(() -> new IbexException("database \"" + db.name() + "\" has type " + db.type()
                + ", which cannot be a target yet"));
    }

    /** The canonical types, sorted. */
    public List<String> types() {
        return types;
    }
}
