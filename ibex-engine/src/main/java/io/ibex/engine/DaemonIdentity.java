package io.ibex.engine;

import io.ibex.IbexException;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Pattern;

/** Who a daemon is, as it registers in the repository: its name (the host's by default), host, pid, version, piddir. */
public record DaemonIdentity(String name, String host, long pid, String version, String piddir) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:@-]{0,62}");

    /** This process, named name (null: the host name); piddir may be null. */
    public static DaemonIdentity current(String name, Path piddir) {
        String host = localHost();
        return new DaemonIdentity(name == null ? host : checkName(name), host, ProcessHandle.current().pid(), releaseVersion(),
                piddir == null ? null : piddir.toString());
    }

    /** A daemon name: letters, digits and _ . : @ - (up to 63), not starting with a punctuation mark. */
    public static String checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IbexException("a daemon name is 1 to 63 letters, digits, '_', '.', ':', '@' or '-', not \"" + name + "\"");
        }
        return name;
    }

    public static String localHost() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            if (h != null && !h.isBlank()) {
                return h;
            }
        } catch (IOException | RuntimeException ignored) {
            // fall through
        }
        String env = System.getenv("HOSTNAME");
        return env != null && !env.isBlank() ? env : "localhost";
    }

    /** The release, from the product jar's Maven metadata; "development build" when run from classes. */
    public static String releaseVersion() {
        try (InputStream in = DaemonIdentity.class.getResourceAsStream("/META-INF/maven/io.ibex/ibex/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null) {
                    return v;
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        String v = DaemonIdentity.class.getPackage().getImplementationVersion();
        return v != null ? v : "development build";
    }
}
