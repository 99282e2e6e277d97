package io.querysniper.testkit.zk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A ZooKeeper ensemble of N server processes on 127.0.0.1 with free ports, in a temp directory,
 * for process-level failover tests:
 * <pre>{@code
 * try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.start(3)) {
 *     connect(zk.connectString());
 *     zk.server(0).kill();          // kill -9
 *     assertThat(zk.awaitQuorum(Duration.ofSeconds(20))).isTrue();
 *     zk.server(0).start();
 * }
 * }</pre>
 * Servers run {@code QuorumPeerMain} with the current JVM's classpath (surefire's test classpath
 * when run from a surefire fork), so the zookeeper jar must be on it. Uses a short tick (500 ms)
 * so elections are quick; sessions of up to 60 s are allowed.
 */
public final class ZooKeeperEnsemble implements AutoCloseable {
    private static final int TICK_MS = 500;

    private final Path baseDir;
    private final List<ZooKeeperProcess> servers;
    private final boolean deleteOnClose;

    private ZooKeeperEnsemble(Path baseDir, List<ZooKeeperProcess> servers, boolean deleteOnClose) {
        this.baseDir = baseDir;
        this.servers = List.copyOf(servers);
        this.deleteOnClose = deleteOnClose;
    }

    /** Starts {@code size} servers in a fresh temp directory and waits (60 s) for a quorum. */
    public static ZooKeeperEnsemble start(int size) {
        return start(size, "127.0.0.1");
    }

    /**
     * As {@link #start(int)}, with the client ports bound to {@code clientPortAddress} (e.g. 0.0.0.0 for
     * clients in other network namespaces); peers still talk over 127.0.0.1.
     */
    public static ZooKeeperEnsemble start(int size, String clientPortAddress) {
        try {
            ZooKeeperEnsemble e = create(Files.createTempDirectory("qs-zk-"), size, defaultClasspath(), true,
                    clientPortAddress);
            e.startAll();
            if (!e.awaitQuorum(Duration.ofSeconds(60))) {
                String logs = e.servers.get(0).log();
                e.close();
                throw new IllegalStateException("ZooKeeper ensemble did not form a quorum within 60 s; server 1 log:\n"
                        + tail(logs));
            }
            return e;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Writes the configuration of {@code size} servers under {@code baseDir} without starting them. */
    public static ZooKeeperEnsemble create(Path baseDir, int size, String classpath, boolean deleteOnClose) {
        return create(baseDir, size, classpath, deleteOnClose, "127.0.0.1");
    }

    /** As above, with the client ports bound to {@code clientPortAddress}. */
    public static ZooKeeperEnsemble create(Path baseDir, int size, String classpath, boolean deleteOnClose,
                                           String clientPortAddress) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1: " + size);
        }
        int[] ports = FreePorts.take(3 * size);
        StringBuilder peers = new StringBuilder();
        for (int i = 0; i < size; i++) {
            peers.append("server.").append(i + 1).append("=127.0.0.1:").append(ports[3 * i + 1]).append(':')
                    .append(ports[3 * i + 2]).append('\n');
        }
        List<ZooKeeperProcess> list = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                Path dir = baseDir.resolve("zk" + (i + 1));
                Path data = dir.resolve("data");
                Files.createDirectories(data);
                Files.writeString(data.resolve("myid"), Integer.toString(i + 1), StandardCharsets.US_ASCII);
                String cfg = "tickTime=" + TICK_MS + "\n"
                        + "initLimit=20\nsyncLimit=5\n"
                        + "dataDir=" + data.toAbsolutePath() + "\n"
                        + "clientPort=" + ports[3 * i] + "\n"
                        + "clientPortAddress=" + clientPortAddress + "\n"
                        + "maxSessionTimeout=60000\n"
                        + "admin.enableServer=false\n"
                        + "4lw.commands.whitelist=*\n"
                        + "reconfigEnabled=false\n"
                        + "standaloneEnabled=" + (size == 1) + "\n"
                        + "autopurge.purgeInterval=0\n"
                        + (size > 1 ? peers.toString() : "");
                Files.writeString(dir.resolve("zoo.cfg"), cfg, StandardCharsets.UTF_8);
                list.add(new ZooKeeperProcess(i + 1, dir, ports[3 * i], classpath));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ZooKeeperEnsemble(baseDir, list, deleteOnClose);
    }

    /**
     * The classpath the servers run with: surefire's real test classpath when present (its fork
     * may run from a manifest-only jar), else {@code java.class.path}.
     */
    public static String defaultClasspath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    public void startAll() {
        servers.forEach(ZooKeeperProcess::start);
    }

    public List<ZooKeeperProcess> servers() {
        return servers;
    }

    /** Server by index, 0-based (its myid is index + 1). */
    public ZooKeeperProcess server(int index) {
        return servers.get(index);
    }

    public String connectString() {
        return servers.stream().map(ZooKeeperProcess::connectString).collect(Collectors.joining(","));
    }

    public Path baseDir() {
        return baseDir;
    }

    /** Waits until a majority of the servers answer {@code srvr} as serving. */
    public boolean awaitQuorum(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int majority = servers.size() / 2 + 1;
        while (System.nanoTime() - deadline < 0) {
            if (servingCount() >= majority) {
                return true;
            }
            ZooKeeperProcess.sleep(200);
        }
        return false;
    }

    public int servingCount() {
        int n = 0;
        for (ZooKeeperProcess s : servers) {
            if (s.isRunning() && s.isServing()) {
                n++;
            }
        }
        return n;
    }

    /** Kills every server (kill -9: the data is throwaway) and deletes the directory if it made it. */
    @Override
    public void close() {
        servers.forEach(ZooKeeperProcess::kill);
        if (deleteOnClose) {
            try (Stream<Path> walk = Files.walk(baseDir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp dir; best effort
            }
        }
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }
}
