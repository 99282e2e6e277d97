package io.querysniper.core.port;

import java.util.function.Consumer;

/**
 * Fencing: may this node kill on this database right now? Asked immediately before every KILL,
 * and by the watcher loop to decide whether to look at a database at all. The single-node
 * implementation always says yes; the cluster says yes only while it holds the database's latch
 * and its ZooKeeper session is known to be alive.
 */
public interface KillGate {

    boolean mayKill(String database);

    /**
     * Registers a callback run with the database name whenever ownership of it may have changed,
     * so a watcher that just became owner looks at once instead of at its next interval.
     */
    default void onChange(Consumer<String> listener) {
    }

    KillGate ALWAYS = database -> true;
}
