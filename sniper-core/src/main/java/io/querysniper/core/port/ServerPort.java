package io.querysniper.core.port;

import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.SessionFilter;
import io.querysniper.core.model.StatusNeeds;

/**
 * One watched server, as the watcher loop sees it. Implemented by the MySQL adapter; tests use
 * fakes. {@link #snapshot} is called from one watcher thread at a time; {@link #kill} may be called
 * concurrently from several kill threads (and alongside a snapshot), so it must be thread-safe.
 */
public interface ServerPort extends AutoCloseable {

    /**
     * Reads every session of the server. Connects (or reconnects) on demand.
     *
     * @throws ServerUnavailableException when the server cannot be reached or does not answer in time
     */
    ServerSnapshot snapshot(StatusNeeds needs);

    /**
     * Reads the sessions {@code filter} asks for (an adapter that cannot filter returns them all, which is
     * never wrong) and the readings {@code needs} asks for.
     *
     * @throws ServerSlowException when the server answers too slowly (statement timeout)
     * @throws ServerUnavailableException when the server cannot be reached
     */
    default ServerSnapshot snapshot(StatusNeeds needs, SessionFilter filter) {
        return snapshot(needs);
    }

    /**
     * A cheap check that the server answers (connect if needed, then a trivial round trip), for a database
     * this node does not watch now (a standby's): readiness must not count a database as reachable
     * without asking it. The default looks, which is never wrong, only dearer than an adapter's own check.
     *
     * @throws ServerUnavailableException when the server cannot be reached or does not answer
     */
    default void ping() {
        snapshot(StatusNeeds.NONE);
    }

    /** Kills a thread or statement. Never throws for server-side refusals: they are sorted into the result. */
    KillResult kill(KillRequest request);

    /**
     * A KILL is due within one interval (the watcher armed one): have a connection ready for it besides the
     * polling one, so the first KILL of a pile-up does not wait for a login. Returns at once, never throws.
     */
    default void expectKills() {
    }

    /** Idempotent. */
    @Override
    void close();
}
