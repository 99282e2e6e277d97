package io.querysniper.daemon.ops;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillListener;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** When this node last killed something on each database, for the status. */
public final class LastKills implements KillListener {
    private final Map<String, Instant> last = new ConcurrentHashMap<>();

    @Override
    public void onRecord(KillRecord r) {
        if (r.outcome() == KillOutcome.KILLED) {
            last.merge(r.database(), r.time(), (a, b) -> b.isAfter(a) ? b : a);
        }
    }

    /** The last KILLED record's time, or null. */
    public Instant of(String database) {
        return last.get(database);
    }
}
