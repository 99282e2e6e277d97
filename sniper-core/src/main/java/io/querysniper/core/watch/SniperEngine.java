package io.querysniper.core.watch;

import io.querysniper.core.port.KillGate;
import io.querysniper.core.port.KillListener;

import java.time.Clock;
import java.util.List;

/**
 * Watches every configured database at once, each on its own named thread
 * ({@code sniper-<db>-poll}), so a slow or dead server never delays the others.
 * Lifecycle: {@link #start()} once, {@link #close()} any number of times. STUB.
 */
public final class SniperEngine implements AutoCloseable {

    public SniperEngine(String nodeId, List<WatchedDatabase> databases, KillGate gate, KillListener listener,
                        Clock clock) {
    }

    public void start() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Stops every watcher and closes every port; waits at most a few seconds. Idempotent. */
    @Override
    public void close() {
    }
}
