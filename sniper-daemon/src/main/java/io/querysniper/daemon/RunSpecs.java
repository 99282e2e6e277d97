package io.querysniper.daemon;

import io.querysniper.core.target.Credentials;
import io.querysniper.core.watch.WatchSpec;

import java.util.HashSet;
import java.util.Set;

/** How the daemon adjusts a database's configured watch spec for a run. */
public final class RunSpecs {
    private RunSpecs() {
    }

    /**
     * The spec with {@code --dry-run} applied and the daemon's own login protected. Every node of a
     * cluster connects with that login (standbys keep polling, the SQL export writes), and those
     * connections are not in the owner's own-connection set: without this, an idle-time rule that
     * matches everything would have the owner kill its standbys' connections. {@code scan} judges with
     * the same spec, so that it shows what {@code run} would do.
     *
     * @param login the daemon's login to the database, or null when it is not known ({@code scan --from}
     *              without {@code --credentials}): then no login is protected
     */
    public static WatchSpec forRun(WatchSpec configured, Credentials login, boolean dryRunOverride) {
        Set<String> protectedUsers = new HashSet<>(configured.protectedUsers());
        if (login != null) {
            protectedUsers.add(login.user());
        }
        return new WatchSpec(configured.database(), configured.interval(), configured.minSpacing(),
                configured.rules(), protectedUsers, configured.maxKillsPerMinute(),
                dryRunOverride || configured.dryRun(), configured.tagAllowList(), configured.maxKillConnections());
    }
}
