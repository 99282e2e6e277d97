package io.querysniper.daemon.ops;

import io.querysniper.core.watch.WatcherStatus;
import io.querysniper.http.Readiness;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code /readyz}: the config is loaded and the daemon runs, its coordination (ZooKeeper) is up, and at
 * least one configured database is reachable from here, owned or standby. Never "is the leader": a
 * standby is as ready as an owner, or a PodDisruptionBudget would block every drain. {@code status} is
 * {@code Daemon.status}: for a database this node does not own, its reachability is the standby probe's
 * ({@code StandbyProbes}), never assumed.
 */
public final class ReadinessCheck {
    private static final Set<String> COORDINATED = Set.of("CONNECTED", "RECONNECTED");

    private ReadinessCheck() {
    }

    /** @param connection the cluster node's connection state, or null when there is no cluster node yet */
    public static Readiness check(boolean running, String connection, Collection<String> databases,
                                  Function<String, WatcherStatus> status) {
        List<String> why = new ArrayList<>();
        if (!running) {
            why.add("the daemon is not running (starting or stopping)");
        }
        if (connection == null || !COORDINATED.contains(connection)) {
            why.add("coordination is down (ZooKeeper connection " + (connection == null ? "NONE" : connection) + ")");
        }
        boolean reachable = false;
        for (String db : databases) {
            WatcherStatus s = status.apply(db);
            if (s != null && s.up()) {
                reachable = true;
                break;
            }
        }
        if (!reachable) {
            why.add("no configured database is reachable");
        }
        return new Readiness(why.isEmpty(), why);
    }
}
