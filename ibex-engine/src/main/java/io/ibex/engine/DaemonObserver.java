package io.ibex.engine;

import io.ibex.db.ConnectionSpec;
import io.ibex.db.Pg;
import io.ibex.repository.Repository;
import io.ibex.settings.Settings;
import io.ibex.spi.MetricsSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Supplier;

/**
 * The thread that measures the daemon every status_interval ({@link SnapshotTaker}) and hands the result to the
 * metrics sink. It has its own repository session and its own short sessions on the databases, so a slow source
 * delays only the measurement, never a sync.
 */
final class DaemonObserver implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(DaemonObserver.class);

    private final ConnectionSpec repositorySpec;
    private final MetricsSink sink;
    private final String version;
    private final Supplier<Settings> settings;
    private final Thread thread = new Thread(this, "ibex-observer");
    private volatile boolean stopping;

    DaemonObserver(ConnectionSpec repositorySpec, MetricsSink sink, String version, Supplier<Settings> settings) {
        this.repositorySpec = repositorySpec;
        this.sink = sink;
        this.version = version;
        this.settings = settings;
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopping = true;
        thread.interrupt();
    }

    @Override
    public void run() {
        Repository repo = null;
        String lastProblem = null;
        while (!stopping) {
            try {
                if (repo == null) {
                    repo = Repository.open(repositorySpec, "ibex-observer");
                }
                sink.snapshot(SnapshotTaker.take(repo, List.of(), version));
                lastProblem = null;
            } catch (RuntimeException e) {
                String problem = Pg.firstLine(e);
                if (!problem.equals(lastProblem) && !stopping) {
                    log.warn("MCP Could not measure the syncs for the metrics: {}", problem);
                }
                lastProblem = problem;
                if (repo != null) {
                    repo.close();
                    repo = null;
                }
            }
            try {
                Thread.sleep(1000L * settings.get().statusIntervalSeconds());
            } catch (InterruptedException e) {
                break;
            }
        }
        if (repo != null) {
            repo.close();
        }
    }
}
