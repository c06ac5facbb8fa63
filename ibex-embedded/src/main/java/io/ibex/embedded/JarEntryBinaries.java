package io.ibex.embedded;

import io.zonky.test.db.postgres.embedded.PgBinaryResolver;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A {@code .txz} server archive stored as an entry of a jar file (not on the classpath).
 * Being a record gives it the equals/hashCode that zonky's per-resolver extraction cache needs.
 */
record JarEntryBinaries(String version, Path jar, String entry) implements BinarySource, PgBinaryResolver {

    @Override
    public PgBinaryResolver resolver() {
        return this;
    }

    @Override
    public InputStream getPgBinary(String system, String machineHardware) throws IOException {
        return new ByteArrayInputStream(readEntry(version, jar, entry));
    }

    /** The bytes of {@code entry} in {@code jar}; a missing jar says how to get it. */
    static byte[] readEntry(String version, Path jar, String entry) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new FileNotFoundException("PostgreSQL " + version + " binaries not found: " + jar.toAbsolutePath()
                    + " (set -D" + BinarySource.DIR_PROPERTY + "=DIR, or run `mvn generate-test-resources`)");
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry e = zip.getEntry(entry);
            if (e == null) {
                throw new FileNotFoundException(entry + " not found in " + jar);
            }
            try (InputStream in = zip.getInputStream(e)) {
                return in.readAllBytes();
            }
        }
    }
}
