package io.querysniper.cluster;

import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * An in-process ZooKeeper server for each test and the cluster nodes the test runs on it, closed after the
 * test: the nodes first, then the server (after the test class's own {@code @AfterEach} methods).
 * Register it on an instance field: {@code @RegisterExtension final ZkServerExtension zk = new ZkServerExtension();}
 */
final class ZkServerExtension implements BeforeEachCallback, AfterEachCallback {
    private final List<ClusterNode> nodes = new ArrayList<>();
    private TestingServer server;

    TestingServer server() {
        return server;
    }

    /** The nodes to close after the test; a test adds the ones it starts. */
    List<ClusterNode> nodes() {
        return nodes;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        server = ZkTesting.server();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        ZkTesting.closeAll(nodes);
        nodes.clear();
        if (server != null) {
            server.close();
        }
    }
}
