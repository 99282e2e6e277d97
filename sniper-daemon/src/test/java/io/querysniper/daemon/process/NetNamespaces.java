package io.querysniper.daemon.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One network namespace per node, each joined to this (the test's) namespace by a veth pair, so a node's
 * traffic can be cut for real while the rest of the machine goes on. Node i reaches the servers of this
 * namespace at two addresses on the host side of its veth: {@link #mysqlHost(int)} and
 * {@link #zooKeeperHost(int)}; a cut is a blackhole route for one of them inside the node's namespace:
 * the node's packets to that address are dropped on the way out (established connections go silent,
 * new ones fail), the other address still works. (tc filters would do the same by port; this machine's
 * kernel has no tc classifiers or actions, routes need nothing but {@code ip}.)
 */
final class NetNamespaces implements AutoCloseable {
    private final String tag;
    private final int octet;
    private final int nodes;

    private NetNamespaces(String tag, int octet, int nodes) {
        this.tag = tag;
        this.octet = octet;
        this.nodes = nodes;
    }

    /** Null when namespaces can be made here, else why not (for the test's skip message). */
    static String unavailable() {
        String probe = "qs-probe-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        try {
            Result add = run("ip", "netns", "add", probe);
            if (add.code() != 0) {
                return "`ip netns add` is not permitted here (needs root and CAP_SYS_ADMIN): " + add.output().strip();
            }
            run("ip", "netns", "del", probe);
            return null;
        } catch (IOException e) {
            return "`ip` is not installed: " + e.getMessage();
        }
    }

    static NetNamespaces create(int nodes) throws IOException {
        String tag = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xfffffL);
        NetNamespaces n = new NetNamespaces(tag, 100 + ThreadLocalRandom.current().nextInt(100), nodes);
        try {
            for (int i = 1; i <= nodes; i++) {
                String ns = n.name(i);
                must("ip", "netns", "add", ns);
                must("ip", "link", "add", n.hostIf(i), "type", "veth", "peer", "name", n.nodeIf(i));
                must("ip", "link", "set", n.nodeIf(i), "netns", ns);
                must("ip", "addr", "add", n.mysqlHost(i) + "/24", "dev", n.hostIf(i));
                must("ip", "addr", "add", n.zooKeeperHost(i) + "/32", "dev", n.hostIf(i));
                must("ip", "link", "set", n.hostIf(i), "up");
                must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
                must("ip", "netns", "exec", ns, "ip", "addr", "add", n.nodeAddress(i) + "/24", "dev", n.nodeIf(i));
                must("ip", "netns", "exec", ns, "ip", "link", "set", n.nodeIf(i), "up");
            }
        } catch (IOException | RuntimeException e) {
            n.close();
            throw e;
        }
        return n;
    }

    /** The command prefix that runs a program in node i's namespace. */
    List<String> exec(int i) {
        return List.of("ip", "netns", "exec", name(i));
    }

    String mysqlHost(int i) {
        return "10." + octet + "." + i + ".1";
    }

    String zooKeeperHost(int i) {
        return "10." + octet + "." + i + ".3";
    }

    String nodeAddress(int i) {
        return "10." + octet + "." + i + ".2";
    }

    void cutZooKeeper(int i) throws IOException {
        must("ip", "netns", "exec", name(i), "ip", "route", "add", "blackhole", zooKeeperHost(i) + "/32");
    }

    void healZooKeeper(int i) throws IOException {
        must("ip", "netns", "exec", name(i), "ip", "route", "del", "blackhole", zooKeeperHost(i) + "/32");
    }

    void cutMysql(int i) throws IOException {
        must("ip", "netns", "exec", name(i), "ip", "route", "add", "blackhole", mysqlHost(i) + "/32");
    }

    void healMysql(int i) throws IOException {
        must("ip", "netns", "exec", name(i), "ip", "route", "del", "blackhole", mysqlHost(i) + "/32");
    }

    /** Deletes the namespaces (their veth ends, and so the pairs, go with them); best effort. */
    @Override
    public void close() {
        for (int i = 1; i <= nodes; i++) {
            try {
                run("ip", "netns", "del", name(i));
                run("ip", "link", "del", hostIf(i));
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    private String name(int i) {
        return "qs-" + tag + "-n" + i;
    }

    private String hostIf(int i) {
        return "qh" + tag + i; // at most 15 characters
    }

    private String nodeIf(int i) {
        return "qn" + tag + i;
    }

    private record Result(int code, String output) {
    }

    private static void must(String... cmd) throws IOException {
        Result r = run(cmd);
        if (r.code() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + r.code() + "): " + r.output().strip());
        }
    }

    private static Result run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
