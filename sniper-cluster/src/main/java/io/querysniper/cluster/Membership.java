package io.querysniper.cluster;

import io.querysniper.core.SniperException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The member list {@code /<ns>/nodes}: announces this node (refusing an id that another live node
 * already uses), keeps its announced database list current, and reads the other members: who they
 * are, which databases they have configured, and which run another configuration.
 */
final class Membership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** The live members and the databases each has configured (null: announced none, an older node). */
    record Roster(List<String> ids, Map<String, Set<String>> configured) {
    }

    private record Cached(long mzxid, NodeInfo info, Set<String> databases) {
    }

    private final CuratorFramework client;
    private final String configHash;
    private final LongSupplier nanos;
    private final Map<String, Cached> cache = new HashMap<>();
    private final Set<String> reportedMismatch = new HashSet<>();
    private List<String> loggedMembers = List.of();
    private volatile PersistentNode node;
    private volatile NodeInfo announced;
    private volatile List<NodeInfo> members = List.of();
    private volatile List<NodeInfo> mismatch = List.of();

    Membership(CuratorFramework client, String configHash, LongSupplier nanos) {
        this.client = client;
        this.configHash = configHash;
        this.nanos = nanos;
    }

    /**
     * Creates this node's member entry. An entry of the same id held by another session is waited
     * for up to {@code staleWait} (a node restarted at once finds its previous session's entry until
     * the server expires it); one still there after that belongs to a live node, and two nodes with
     * one id would confuse the plan and the journal's ids: refused.
     *
     * @throws SniperException when the id is taken by a live member
     */
    void announce(NodeInfo info, Collection<String> databases, Duration staleWait) throws Exception {
        announced = info;
        String path = ClusterPaths.node(info.id());
        byte[] data = Payloads.node(info, databases);
        long deadline = nanos.getAsLong() + staleWait.toNanos();
        boolean warned = false;
        while (true) {
            try {
                client.create().withMode(CreateMode.EPHEMERAL).forPath(path, data);
                break;
            } catch (KeeperException.NodeExistsException e) {
                Stat stat = new Stat();
                byte[] theirs;
                try {
                    theirs = client.getData().storingStatIn(stat).forPath(path);
                } catch (KeeperException.NoNodeException gone) {
                    continue;
                }
                long session = client.getZookeeperClient().getZooKeeper().getSessionId();
                if (stat.getEphemeralOwner() == session) {
                    break;
                }
                NodeInfo other = Payloads.node(theirs, info.id());
                if (nanos.getAsLong() - deadline >= 0) {
                    throw new SniperException("node id " + info.id() + " is already used by a live member of the cluster"
                            + " (host " + other.host() + ", started " + other.startedAt() + ", ZooKeeper session 0x"
                            + Long.toHexString(stat.getEphemeralOwner()) + "): two nodes with one id would confuse the "
                            + "ownership plan and the journal; give this node another node-id");
                }
                if (!warned) {
                    warned = true;
                    log.warn("Node id {} is announced by another session (host {}, started {}); waiting up to {} ms for it "
                            + "to expire (a restart of this node) before refusing to start", info.id(), other.host(),
                            other.startedAt(), staleWait.toMillis());
                }
                TimeUnit.NANOSECONDS.sleep(POLL_NANOS);
            }
        }
        // Keeps the entry through reconnects and recreates it in a new session.
        PersistentNode n = new PersistentNode(client, CreateMode.EPHEMERAL, false, path, data);
        n.start();
        node = n;
    }

    /** Announces a new database list (after {@code updateDatabases}). */
    void publish(Collection<String> databases) throws Exception {
        PersistentNode n = node;
        if (n != null) {
            n.setData(Payloads.node(announced, databases));
        }
    }

    /**
     * Reads the live members. Each member's entry is read again only when it changed (its mzxid),
     * so a pass costs one stat per member.
     */
    Roster read() throws Exception {
        List<String> ids = new ArrayList<>();
        for (String child : client.getChildren().forPath(ClusterPaths.NODES)) {
            ids.add(ClusterPaths.decode(child));
        }
        ids.sort(null);
        Map<String, Set<String>> configured = new TreeMap<>();
        List<NodeInfo> infos = new ArrayList<>();
        List<NodeInfo> differing = new ArrayList<>();
        List<String> present = new ArrayList<>();
        for (String id : ids) {
            Cached c = cache.get(id);
            try {
                Stat stat = client.checkExists().forPath(ClusterPaths.node(id));
                if (stat == null) {
                    continue;
                }
                if (c == null || c.mzxid() != stat.getMzxid()) {
                    Stat read = new Stat();
                    byte[] data = client.getData().storingStatIn(read).forPath(ClusterPaths.node(id));
                    c = new Cached(read.getMzxid(), Payloads.node(data, id), Payloads.databases(data));
                    cache.put(id, c);
                }
            } catch (KeeperException.NoNodeException gone) {
                continue; // left between list and read
            }
            present.add(id);
            infos.add(c.info());
            configured.put(id, c.databases());
            if (!c.info().configHash().equals(configHash)) {
                differing.add(c.info());
            }
        }
        cache.keySet().retainAll(present);
        members = List.copyOf(infos);
        mismatch = List.copyOf(differing);
        for (NodeInfo n : differing) {
            if (reportedMismatch.add(n.id() + "/" + n.configHash())) {
                log.warn("Node {} on {} runs a different configuration (hash {} vs ours {})", n.id(), n.host(),
                        n.configHash(), configHash);
            }
        }
        if (!present.equals(loggedMembers)) {
            loggedMembers = List.copyOf(present);
            log.info("Members now {}", present);
        }
        return new Roster(List.copyOf(present), configured);
    }

    List<NodeInfo> members() {
        return members;
    }

    List<NodeInfo> mismatch() {
        return mismatch;
    }

    NodeInfo announced() {
        return announced;
    }

    /** Leaves the member list; blocks while ZooKeeper is unreachable (the caller bounds it). */
    @Override
    public void close() {
        PersistentNode n = node;
        if (n != null) {
            try {
                n.close();
            } catch (IOException | IllegalStateException e) {
                log.debug("close: {}", e.toString());
            }
        }
    }
}
