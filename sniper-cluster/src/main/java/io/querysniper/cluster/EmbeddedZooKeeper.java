package io.querysniper.cluster;

import io.querysniper.core.SniperException;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.persistence.FileTxnSnapLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A single-node ZooKeeper inside the daemon's JVM, under {@code <dataDir>/zookeeper}, listening
 * on 127.0.0.1 only. Used when no ensemble is configured, so {@code bin/query-sniper run} works
 * with nothing else installed. It gives no failover: a cluster needs a real ensemble.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);
    /**
     * The server expires a dead session up to one tick late (expiry is bucketed by tickTime), so
     * the crash-takeover bound "session timeout + 1 s" needs tickTime <= 500 ms (ZooKeeper's
     * default is 2000 ms).
     */
    static final int TICK_MS = 500;
    /**
     * A tick this short would shrink ZooKeeper's default limits (2 and 20 ticks: 1 s .. 10 s), so
     * a configured cluster.session-timeout above 10 s would be negotiated down silently. Set both
     * explicitly: every session timeout from 1 s to 60 s is honoured as configured.
     */
    static final int MIN_SESSION_MS = 1_000;
    static final int MAX_SESSION_MS = 60_000;

    private final ZooKeeperServer server;
    private final ServerCnxnFactory factory;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedZooKeeper(ZooKeeperServer server, ServerCnxnFactory factory) {
        this.server = server;
        this.factory = factory;
    }

    /**
     * Starts the server; port 0 picks a free port (see {@link #port()}).
     *
     * @throws SniperException when the directory or the port cannot be used
     */
    public static EmbeddedZooKeeper start(Path dataDir, int port) {
        Path root = dataDir.resolve("zookeeper");
        try {
            Files.createDirectories(root.resolve("data"));
            Files.createDirectories(root.resolve("log"));
            ZooKeeperServer zks = new ZooKeeperServer(root.resolve("data").toFile(), root.resolve("log").toFile(), TICK_MS);
            zks.setMinSessionTimeout(MIN_SESSION_MS);
            zks.setMaxSessionTimeout(MAX_SESSION_MS);
            ServerCnxnFactory f = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", port), 200);
            f.startup(zks);
            EmbeddedZooKeeper zk = new EmbeddedZooKeeper(zks, f);
            log.info("No cluster.zookeeper configured: started an embedded single-node ZooKeeper on {} (data in {}); "
                    + "this gives no failover", zk.connectString(), root);
            return zk;
        } catch (IOException e) {
            throw new SniperException("cannot start embedded ZooKeeper on 127.0.0.1:" + port + " under " + root
                    + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SniperException("interrupted while starting embedded ZooKeeper", e);
        }
    }

    public int port() {
        return factory.getLocalPort();
    }

    public String connectString() {
        return "127.0.0.1:" + port();
    }

    /** Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        factory.shutdown();
        server.shutdown();
        FileTxnSnapLog txn = server.getTxnLogFactory();
        if (txn != null) {
            try {
                txn.close();
            } catch (IOException e) {
                log.warn("closing embedded ZooKeeper logs: {}", e.getMessage());
            }
        }
        log.info("Embedded ZooKeeper on 127.0.0.1:{} stopped", factory.getLocalPort());
    }
}
