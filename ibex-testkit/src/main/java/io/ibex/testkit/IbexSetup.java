package io.ibex.testkit;

import io.ibex.api.Ibex;

import java.util.List;

/** A repository installed with its databases added, the first steps of every replication test. */
public final class IbexSetup {

    private IbexSetup() {
    }

    /** Installs ibex in {@code repository} and adds {@code source} as "src" and {@code target} as "dst". */
    public static Ibex install(Db repository, Db source, Db target) {
        Ibex ibex = new Ibex(repository.spec());
        ibex.install();
        ibex.addDatabase("src", source.params(), false);
        ibex.addDatabase("dst", target.params(), false);
        return ibex;
    }

    /** Installs ibex in {@code repository} and adds every database under its label. */
    public static Ibex install(Db repository, List<Db> databases) {
        Ibex ibex = new Ibex(repository.spec());
        ibex.install();
        for (Db d : databases) {
            ibex.addDatabase(d.label(), d.params(), false);
        }
        return ibex;
    }
}
