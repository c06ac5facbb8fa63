package io.ibex.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Launching ibex in a JVM of its own ({@code java -cp <java.class.path>}) from a private copy of target/classes:
 * builds running at the same time in this working tree rewrite target/classes, and a daemon started at that moment
 * would not find its main class.
 */
public final class PrivateClasspath {

    private static String privateClasspath;

    private PrivateClasspath() {
    }

    /** Runs {@code work} with the class path pointing at the private copy. */
    public static synchronized <T> T run(Callable<T> work) {
        String original = System.getProperty("java.class.path");
        try {
            if (privateClasspath == null) {
                privateClasspath = copyClasses(original);
            }
            System.setProperty("java.class.path", privateClasspath);
            return work.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            System.setProperty("java.class.path", original);
        }
    }

    private static String copyClasses(String classpath) throws Exception {
        List<String> out = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.isEmpty() || (Files.isDirectory(p) && p.getFileName().toString().equals("test-classes"))) {
                continue;
            }
            if (Files.isDirectory(p) && p.getFileName().toString().equals("classes")) {
                out.add(copyOf(p).toString());
            } else {
                out.add(entry);
            }
        }
        return String.join(File.pathSeparator, out);
    }

    private static Path copyOf(Path classes) throws Exception {
        Path copy = Files.createTempDirectory("ibex-classes");
        for (int attempt = 0; ; attempt++) {
            try (var files = Files.walk(classes)) {
                for (Path f : files.toList()) {
                    Path to = copy.resolve(classes.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } catch (IOException e) {
                // a build is rewriting the directory: try again
            }
            // each module has its own classes directory in a reactor build: a copy is complete when it has what its
            // original has of the classes the daemon starts with (waiting for both in every copy cost 10 s a module)
            if (hasIfOriginalHas(classes, copy, "io/ibex/cli/Main.class") && hasIfOriginalHas(classes, copy, "io/ibex/engine/Daemon.class")
                    || attempt > 20) {
                return copy;
            }
            Thread.sleep(500);
        }
    }

    private static boolean hasIfOriginalHas(Path original, Path copy, String file) {
        return !Files.exists(original.resolve(file)) || Files.exists(copy.resolve(file));
    }
}
