package io.querysniper.core.watch;

import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.Session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sharpens the transaction ages of a snapshot. Servers give {@code trx_started} in whole seconds, so the
 * adapter reports the safe lower bound (up to 999 ms short), which made idle-in-transaction kills land
 * 0.4-1 s late. Two more lower bounds hold, and the largest of them is used (never an upper bound, so a
 * transaction is never killed before its limit):
 * <ul>
 *   <li>An idle session's open transaction is at least as old as its idle time: it began before its last
 *       statement ended. Idle times have millisecond precision on MariaDB.</li>
 *   <li>What an earlier look proved: a transaction (same thread, same transaction id) that was at least
 *       {@code a} old at {@code t} is at least {@code a + (now - t)} old now, and it existed when first seen.
 *       Kept only for transactions with an id, so a new transaction on the same connection never inherits
 *       an old one's age.</li>
 * </ul>
 * Only the watcher thread uses it.
 */
final class TransactionAges {
    private record Key(long threadId, long transactionId) {
    }

    /** Latest moment each transaction can have started, as proved so far. */
    private Map<Key, Instant> latestStart = new HashMap<>();

    ServerSnapshot sharpen(ServerSnapshot snapshot) {
        Instant at = snapshot.takenAt();
        Map<Key, Instant> next = new HashMap<>();
        List<Session> out = new ArrayList<>(snapshot.sessions().size());
        boolean changed = false;
        for (Session s : snapshot.sessions()) {
            if (!s.hasTransaction()) {
                out.add(s);
                continue;
            }
            Duration age = s.transactionAge();
            if (s.isSleeping() && s.time().compareTo(age) > 0) {
                age = s.time();
            }
            if (s.transactionId() >= 0) {
                Key key = new Key(s.threadId(), s.transactionId());
                Instant start = at.minus(age);
                Instant earlier = latestStart.get(key);
                if (earlier != null && earlier.isBefore(start)) {
                    start = earlier;
                }
                next.put(key, start);
                age = Duration.between(start, at);
            }
            if (age.equals(s.transactionAge())) {
                out.add(s);
            } else {
                out.add(s.withTransactionAge(age));
                changed = true;
            }
        }
        latestStart = next;
        return changed ? snapshot.withSessions(out) : snapshot;
    }
}
