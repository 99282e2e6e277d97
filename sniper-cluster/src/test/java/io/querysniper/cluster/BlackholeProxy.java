package io.querysniper.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of one ZooKeeper server that can be cut: while partitioned it keeps
 * connections open but forwards nothing (like a network partition, not a refused connection),
 * so the client's session expires on the server while the client only sees silence.
 */
final class BlackholeProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean partitioned;
    private volatile boolean closed;

    BlackholeProxy(String targetHost, int targetPort) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        Thread t = new Thread(this::accept, "test-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    String connectString() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    void partition() {
        partitioned = true;
    }

    /** Ends the partition; connections that lived through it are closed (their streams lost bytes). */
    void heal() {
        partitioned = false;
        sockets.forEach(BlackholeProxy::closeQuietly);
        sockets.clear();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket in = listener.accept();
                sockets.add(in);
                if (partitioned) {
                    pump(in.getInputStream(), OutputStream.nullOutputStream(), in, null);
                    continue;
                }
                Socket out = new Socket(targetHost, targetPort);
                sockets.add(out);
                pump(in.getInputStream(), out.getOutputStream(), in, out);
                pump(out.getInputStream(), in.getOutputStream(), in, out);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(InputStream from, OutputStream to, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = from.read(buf)) >= 0) {
                    if (!partitioned) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                }
            } catch (IOException ignored) {
                // connection closed
            } finally {
                closeQuietly(a);
                closeQuietly(b);
            }
        }, "test-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        sockets.forEach(BlackholeProxy::closeQuietly);
    }
}
