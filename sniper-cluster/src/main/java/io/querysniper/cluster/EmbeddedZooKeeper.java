package io.querysniper.cluster;

import io.querysniper.core.SniperException;
import org.apache.zookeeper.server.PurgeTxnLog;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.SyncRequestProcessor;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.persistence.FileTxnLog;
import org.apache.zookeeper.server.persistence.FileTxnSnapLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A single-node ZooKeeper inside the daemon's JVM, under {@code <dataDir>/zookeeper}, listening
 * on 127.0.0.1 only. Used when no ensemble is configured, so {@code bin/query-sniper run} works
 * with nothing else installed. It gives no failover: a cluster needs a real ensemble.
 *
 * <p>ZooKeeper never deletes its own snapshots and transaction logs (a standalone server's autopurge is off
 * by default, and hourly at best): every journal record written and pruned stays on the disk the spool
 * uses. This server purges them at start and every {@link #PURGE_INTERVAL}, keeping the newest
 * {@link #SNAPSHOTS_KEPT} snapshots and the logs they need.
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
    /** Snapshots kept by the purge (ZooKeeper's minimum is 3), with the transaction logs they need. */
    static final int SNAPSHOTS_KEPT = 3;
    /**
     * ZooKeeper rolls its transaction log (and snapshots) every ~100,000 transactions, but the journal writes
     * up to 100 records per transaction: without a size bound one log file would grow to 4 GB before it
     * could be purged. Roll after 16 to 32 MB of log instead (a full default journal snapshots to ~30 MB).
     */
    static final long ROLL_BYTES = 32L << 20;
    /** Log files are preallocated in steps of this (ZooKeeper's 64 MB would dwarf a 32 MB log). */
    static final long PREALLOC_BYTES = 4L << 20;
    /** A purge this often keeps up with a kill storm (2,000 records/s write about 2.5 MB/s of log). */
    static final Duration PURGE_INTERVAL = Duration.ofMinutes(5);

    private final ZooKeeperServer server;
    private final ServerCnxnFactory factory;
    /** Where the server writes transaction logs and snapshots (their version-2 folders' parents). */
    private final Path logDir;
    private final Path snapDir;
    private final ScheduledExecutorService purger;
    private final Path root;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedZooKeeper(ZooKeeperServer server, ServerCnxnFactory factory, Path root) {
        this.server = server;
        this.factory = factory;
        this.root = root;
        // Asked of the server: its constructor hands its "snapDir" argument to FileTxnSnapLog as the log dir.
        FileTxnSnapLog txn = server.getTxnLogFactory();
        this.logDir = txn.getDataLogDir().toPath().getParent();
        this.snapDir = txn.getSnapDir().toPath().getParent();
        this.purger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sniper-zookeeper-purge");
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, e) -> log.warn("embedded ZooKeeper purge failed", e));
            return t;
        });
    }

    /**
     * Starts the server; port 0 picks a free port (see {@link #port()}).
     *
     * @throws SniperException when the directory or the port cannot be used
     */
    public static EmbeddedZooKeeper start(Path dataDir, int port) {
        return start(dataDir, port, ROLL_BYTES);
    }

    /** With another log roll size (tests: many rolls from few records). */
    static EmbeddedZooKeeper start(Path dataDir, int port, long rollBytes) {
        // Process-wide ZooKeeper settings: the embedded server is the only one in the daemon's JVM.
        SyncRequestProcessor.setSnapSizeInBytes(rollBytes);
        FileTxnLog.setPreallocSize(PREALLOC_BYTES);
        Path root = dataDir.resolve("zookeeper");
        try {
            Files.createDirectories(root.resolve("data"));
            Files.createDirectories(root.resolve("log"));
            ZooKeeperServer zks = new ZooKeeperServer(root.resolve("data").toFile(), root.resolve("log").toFile(), TICK_MS);
            zks.setMinSessionTimeout(MIN_SESSION_MS);
            zks.setMaxSessionTimeout(MAX_SESSION_MS);
            ServerCnxnFactory f = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", port), 200);
            f.startup(zks);
            EmbeddedZooKeeper zk = new EmbeddedZooKeeper(zks, f, root);
            zk.purger.scheduleWithFixedDelay(zk::purgeNow, 0, PURGE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
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

    /**
     * Deletes snapshots and transaction logs older than the newest {@link #SNAPSHOTS_KEPT} snapshots need.
     * Safe while the server runs (it is what ZooKeeper's own autopurge does). Never throws.
     */
    public void purgeNow() {
        try {
            PurgeTxnLog.purge(logDir.toFile(), snapDir.toFile(), SNAPSHOTS_KEPT);
        } catch (IOException | RuntimeException e) {
            log.warn("purging the embedded ZooKeeper's old snapshots and logs under {} failed: {}", root, e.toString());
        }
    }

    /** The directory of its snapshots and transaction logs. */
    public Path dir() {
        return root;
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
        purger.shutdownNow();
        try {
            if (!purger.awaitTermination(1, TimeUnit.SECONDS)) { // the daemon's stop budget counts 1 s for this server
                log.warn("embedded ZooKeeper purge did not stop within 1 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
