package io.ibex.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The daemon's HTTP listener (the JDK's own server, one thread): {@code /metrics} in the Prometheus text format,
 * {@code /status.json}, and the status page at {@code /}, a self-contained file that needs nothing from outside.
 */
final class StatusServer {
    private static final Logger log = LoggerFactory.getLogger(StatusServer.class);
    private static final byte[] PAGE = page();

    private final HttpServer http;

    private StatusServer(HttpServer http) {
        this.http = http;
    }

    /** Serves, or logs one line and returns null when the address cannot be had (the daemon goes on without it). */
    static StatusServer start(String host, int port, PrometheusRegistry registry, Supplier<String> statusJson) {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException | RuntimeException e) {
            log.warn("MCP No metrics or status page: cannot listen on {}:{} ({}); set http_listen to another HOST:PORT or off",
                    host, port, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            return null;
        }
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        http.createContext("/metrics", ex -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
            writer.write(out, registry.scrape());
            send(ex, 200, writer.getContentType(), out.toByteArray());
        });
        http.createContext("/status.json", ex -> send(ex, 200, "application/json; charset=utf-8",
                statusJson.get().getBytes(StandardCharsets.UTF_8)));
        http.createContext("/", ex -> {
            if (ex.getRequestURI().getPath().equals("/")) {
                send(ex, 200, "text/html; charset=utf-8", PAGE);
            } else {
                send(ex, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
            }
        });
        http.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ibex-http");
            t.setDaemon(true);
            return t;
        }));
        http.start();
        return new StatusServer(http);
    }

    String address() {
        InetSocketAddress a = http.getAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    void stop() {
        http.stop(0);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    private static byte[] page() {
        try (InputStream in = StatusServer.class.getResourceAsStream("status.html")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
