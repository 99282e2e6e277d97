package io.querysniper.testkit.zk;

import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-process ZooKeeper server (curator-test's {@link TestingServer}) for a test class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ZooKeeperExtension ZK = new ZooKeeperExtension();   // one server for the class
 *
 * @RegisterExtension
 * final ZooKeeperExtension zk = new ZooKeeperExtension();          // a fresh server per test
 * }</pre>
 *
 * A static field shares one server between the class's tests (give each test its own namespace); an
 * instance field gives each test its own, which tests that stop and restart the server need.
 */
public final class ZooKeeperExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private volatile TestingServer server;
    private volatile boolean perClass;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true;
        server = new TestingServer(true);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            server = new TestingServer(true);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    private void close() throws Exception {
        TestingServer s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }

    /** The running server, to stop and restart it. */
    public TestingServer server() {
        TestingServer s = server;
        if (s == null) {
            throw new IllegalStateException("ZooKeeperExtension must be a @RegisterExtension field");
        }
        return s;
    }

    /** {@code host:port} of the running server. */
    public String connectString() {
        return server().getConnectString();
    }
}
