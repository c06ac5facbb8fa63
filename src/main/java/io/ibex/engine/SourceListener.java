package io.ibex.engine;

import io.ibex.capture.CaptureInstaller;
import io.ibex.db.Pg;
import io.ibex.repository.Database;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.util.function.Consumer;

/**
 * Listens for the kick that the capture triggers send when a transaction on a source commits, and passes it on.
 * Reconnects on its own after an outage, and kicks once after each reconnect for what it may have missed.
 */
final class SourceListener implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(SourceListener.class);

    private final Database db;
    private final Consumer<String> onKick;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Connection connection;

    SourceListener(Database db, Consumer<String> onKick) {
        this.db = db;
        this.onKick = onKick;
        this.thread = new Thread(this, "listen-" + db.name());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopping = true;
        thread.interrupt();
        Pg.closeQuietly(connection);
    }

    @Override
    public void run() {
        boolean warned = false;
        while (!stopping) {
            try (Connection c = db.connection().open("ibex-listener")) {
                connection = c;
                Pg.exec(c, "LISTEN " + CaptureInstaller.KICK_CHANNEL);
                if (warned) {
                    log.info("MCP Listening again on database \"{}\"", db.name());
                    warned = false;
                }
                onKick.accept(db.name());
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!stopping) {
                    PGNotification[] n = pg.getNotifications(1000);
                    if (n != null && n.length > 0) {
                        onKick.accept(db.name());
                    }
                }
            } catch (Exception e) {
                if (stopping) {
                    return;
                }
                if (!warned) {
                    log.warn("MCP Cannot listen on database \"{}\": {} (retrying every 5 s)", db.name(), Pg.firstLine(e));
                    warned = true;
                }
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
