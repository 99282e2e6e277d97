package io.querysniper.core.watch;

import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Remembers what was recently decided about a (thread, query, rule), so one statement is not killed
 * twice while its kill is in flight or just done, and a logged / would-kill / refused session is
 * reported once instead of at every look. An entry is forgotten when it expires or as soon as a look
 * no longer shows the session breaking that rule. Thread-safe: the watcher thread reads and prunes it,
 * kill threads set the memory of a kill when it lands.
 */
final class RecentDecisions {

    record Key(long threadId, long queryId, String rule) {
    }

    private final Map<Key, Instant> until = new HashMap<>();

    synchronized boolean remembers(Key key, Instant now) {
        Instant u = until.get(key);
        return u != null && now.isBefore(u);
    }

    synchronized void remember(Key key, Instant untilInstant) {
        until.put(key, untilInstant);
    }

    /** Forgets keys that expired or that the last look did not show. */
    synchronized void retainOnly(Set<Key> seen, Instant now) {
        for (Iterator<Map.Entry<Key, Instant>> it = until.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Instant> e = it.next();
            if (!seen.contains(e.getKey()) || !now.isBefore(e.getValue())) {
                it.remove();
            }
        }
    }

    synchronized void forget(Key key) {
        until.remove(key);
    }

    synchronized int size() {
        return until.size();
    }
}
