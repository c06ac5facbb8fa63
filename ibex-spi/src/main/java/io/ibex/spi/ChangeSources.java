package io.ibex.spi;

import io.ibex.IbexException;
import io.ibex.model.Database;

import java.util.List;
import java.util.ServiceLoader;

/** The captures found at run time (ServiceLoader), and which one a source database uses. */
public final class ChangeSources {

    /** The capture of every source today. */
    public static final String DEFAULT_KIND = "trigger";

    private static final List<ChangeSource> INSTALLED = ServiceLoader.load(ChangeSource.class).stream()
            .map(ServiceLoader.Provider::get).toList();

    private ChangeSources() {
    }

    public static List<ChangeSource> installed() {
        return INSTALLED;
    }

    public static ChangeSource get(String kind) {
        return INSTALLED.stream().filter(s -> s.kind().equals(kind)).findFirst()
                .orElseThrow(() -> new IbexException("no capture of kind \"" + kind + "\" is installed"));
    }

    /** The capture of a source database. */
    public static ChangeSource of(Database db) {
        return get(DEFAULT_KIND);
    }

    /** A codec that reads the positions of every installed capture. */
    public static PositionCodec codec() {
        return PositionCodec.of(INSTALLED);
    }
}
