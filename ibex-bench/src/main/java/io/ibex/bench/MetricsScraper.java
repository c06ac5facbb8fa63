package io.ibex.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * With --metrics: scrapes the daemon's /metrics and /status.json every second (Prometheus' default is every 15 s
 * to a minute), so that what watching ibex costs shows in the measurements.
 */
final class MetricsScraper implements AutoCloseable {
    private final Thread thread;
    private final AtomicLong scrapes = new AtomicLong();
    private volatile boolean stopping;

    MetricsScraper(int port) {
        HttpClient http = HttpClient.newHttpClient();
        thread = new Thread(() -> {
            while (!stopping) {
                for (String path : new String[] {"/metrics", "/status.json"}) {
                    try {
                        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.discarding());
                        scrapes.incrementAndGet();
                    } catch (Exception e) {
                        // the daemon is between runs of the benchmark; try again
                    }
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-scraper");
        thread.setDaemon(true);
        thread.start();
    }

    long scrapes() {
        return scrapes.get();
    }

    @Override
    public void close() {
        stopping = true;
        thread.interrupt();
    }
}
