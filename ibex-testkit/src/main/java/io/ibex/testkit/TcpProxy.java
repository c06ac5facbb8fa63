package io.ibex.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on 127.0.0.1 that a test can cut, as a network between a daemon and its repository would be cut:
 * {@link #cut()} resets every connection through it and blackholes new ones (accepted, never answered, as a peer
 * behind a dead link) until {@link #heal()}, which resets the blackholed ones too; {@link #down()} resets every
 * connection and each new one at once, as a server that is down (without stopping a server other tests share).
 * Clients connect to {@link #port()}.
 */
public final class TcpProxy implements AutoCloseable {

    private final int targetPort;
    private final ServerSocket listener;
    /** Every socket of the proxy, on both sides, forwarded or blackholed. */
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile boolean down;
    private volatile boolean closed;

    private TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "tcp-proxy-" + listener.getLocalPort() + "-to-" + targetPort);
        t.setDaemon(true);
        t.start();
    }

    /** A proxy to 127.0.0.1:targetPort, listening on a free local port. */
    public static TcpProxy start(int targetPort) {
        try {
            return new TcpProxy(targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The local port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    public boolean isCut() {
        return cut;
    }

    /** Resets every connection through the proxy; new ones are accepted and then hang until {@link #heal()}. */
    public void cut() {
        cut = true;
        resetAll();
    }

    /** Resets every connection through the proxy, and each new one at once, until {@link #heal()}. */
    public void down() {
        down = true;
        resetAll();
    }

    /** New connections are forwarded again; those blackholed meanwhile are reset (their clients see an error). */
    public void heal() {
        cut = false;
        down = false;
        resetAll();
    }

    /** How many sockets the proxy holds now (both sides of each forwarded connection, one per blackholed one). */
    public int sockets() {
        return sockets.size();
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        resetAll();
    }

    private void resetAll() {
        for (Socket s : Set.copyOf(sockets)) {
            reset(s);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            if (down) {
                reset(client);
                continue;
            }
            sockets.add(client);
            if (cut) {
                continue; // blackholed: held open, never read, reset at heal
            }
            try {
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                server.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                sockets.add(server);
                if (cut) { // cut while connecting
                    reset(server);
                    continue;
                }
                pump(client, server, "up");
                pump(server, client, "down");
            } catch (IOException e) {
                reset(client); // the target refuses: so does the proxy
            }
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // one side closed or was reset: the other goes with it
            } finally {
                reset(from);
                reset(to);
            }
        }, "tcp-proxy-" + port() + "-" + direction);
        t.setDaemon(true);
        t.start();
    }

    /** Closes with SO_LINGER 0: the peer gets a RST at once, as from a link that failed, not an orderly FIN. */
    private void reset(Socket s) {
        sockets.remove(s);
        try {
            s.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // already closed
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
