package io.querysniper.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One throwaway {@link MariaDbServer} per test class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final MariaDbExtension DB = new MariaDbExtension(MariaDbServer.builder().tls(true));
 * ...
 * DB.server().createUser("app", "pw");
 * }</pre>
 *
 * Started before the first test of the class, closed (killed, temp dir deleted) after the last.
 */
public final class MariaDbExtension implements BeforeAllCallback, AfterAllCallback {
    private final MariaDbServer.Builder builder;
    private volatile MariaDbServer server;

    public MariaDbExtension() {
        this(MariaDbServer.builder());
    }

    public MariaDbExtension(MariaDbServer.Builder builder) {
        this.builder = builder;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = builder.build().start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        MariaDbServer s = server;
        if (s != null) {
            s.close();
        }
    }

    /** The running server; only valid inside the test class's lifecycle. */
    public MariaDbServer server() {
        if (server == null) {
            throw new IllegalStateException("MariaDbExtension must be registered as a static @RegisterExtension field");
        }
        return server;
    }
}
