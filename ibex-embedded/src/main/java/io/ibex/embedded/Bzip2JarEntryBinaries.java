package io.ibex.embedded;

import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A {@code .tbz} (bzip2) server archive inside a jar, as otj-pg-embedded 0.1.x ships PostgreSQL 9.3. zonky only reads
 * xz, so the archive is recompressed once into {@code ${ot.epg.working-dir}/<jar name>-<entry>.txz} and read from
 * there afterwards. The tar inside is unchanged (bin/, lib/, share/ at the root, like zonky's own archives).
 */
record Bzip2JarEntryBinaries(String version, Path jar, String entry) implements BinarySource, PgBinaryResolver {

    @Override
    public PgBinaryResolver resolver() {
        return this;
    }

    @Override
    public InputStream getPgBinary(String system, String machineHardware) throws IOException {
        return new ByteArrayInputStream(Files.readAllBytes(converted()));
    }

    /** The cached xz archive, converted now if it is missing or older than the jar. */
    Path converted() throws IOException {
        String jarName = jar.getFileName().toString().replaceFirst("\\.jar$", "");
        Path cache = PostgresServer.workingDirectory()
                .resolve(jarName + "-" + entry.replaceFirst("\\.tbz$", "") + ".txz");
        if (Files.isRegularFile(cache) && Files.isRegularFile(jar)
                && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) >= 0) {
            return cache;
        }
        byte[] bzip2 = JarEntryBinaries.readEntry(version, jar, entry);
        Files.createDirectories(cache.getParent());
        Path tmp = Files.createTempFile(cache.getParent(), cache.getFileName().toString(), ".tmp");
        try {
            try (InputStream in = new BZip2CompressorInputStream(new ByteArrayInputStream(bzip2));
                 OutputStream out = new XZOutputStream(Files.newOutputStream(tmp), new LZMA2Options(1))) {
                in.transferTo(out);
            }
            Files.move(tmp, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return cache;
    }
}
