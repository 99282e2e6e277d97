package io.querysniper.alerts;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Which node sends the fleet's events (no-owner): a Curator {@link LeaderLatch} of their own at
 * {@value #PATH}, on the daemon's (namespaced) client. Curator drops leadership on a SUSPENDED or LOST
 * connection, so a node cut off from ZooKeeper stops sending them and another takes over.
 */
public final class FleetLatch implements BooleanSupplier, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FleetLatch.class);
    public static final String PATH = "/alerts/fleet-latch";

    /** Lifecycle states. */
    public enum State { LATENT, STARTED, CLOSED }

    private final LeaderLatch latch;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);

    public FleetLatch(CuratorFramework client, String nodeId) {
        this.latch = new LeaderLatch(client, PATH, nodeId);
    }

    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("fleet latch is " + state.get());
        }
        try {
            latch.start();
        } catch (Exception e) {
            throw new io.querysniper.core.SniperException("cannot join the alerts' fleet latch: " + e.getMessage(), e);
        }
    }

    /** True while this node sends the fleet's events. */
    @Override
    public boolean getAsBoolean() {
        return state.get() == State.STARTED && latch.hasLeadership();
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) {
            return;
        }
        try {
            latch.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing the alerts' fleet latch", e);
        }
    }
}
