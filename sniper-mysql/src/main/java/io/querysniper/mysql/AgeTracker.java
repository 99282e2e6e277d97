package io.querysniper.mysql;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Sub-second age estimates from whole-second ages (MySQL 5.7 PROCESSLIST.TIME). Each look says the
 * statement started in {@code (takenAt - TIME - 1s, takenAt - TIME]}; intersecting the looks narrows
 * that window as TIME ticks over between them. The estimate is the window's late end, so an age is
 * never overstated: a query is never killed before its limit. Not thread-safe (one watcher thread).
 */
final class AgeTracker {
    private record Window(String command, int infoHash, long lo, long hi) {
    }

    private final Map<Long, Window> windows = new HashMap<>();

    /** The age of thread {@code threadId}'s current command as seen at {@code takenAt}. */
    Duration age(long threadId, String command, String info, long serverSeconds, Instant takenAt) {
        long at = toMicros(takenAt);
        long hi = at - serverSeconds * 1_000_000L;
        long lo = hi - 999_999L;
        int infoHash = Objects.hashCode(info);
        Window old = windows.get(threadId);
        Window now;
        if (old != null && old.command.equals(command) && old.infoHash == infoHash
                && Math.max(old.lo, lo) <= Math.min(old.hi, hi)) {
            now = new Window(command, infoHash, Math.max(old.lo, lo), Math.min(old.hi, hi));
        } else {
            now = new Window(command, infoHash, lo, hi);
        }
        windows.put(threadId, now);
        return Duration.ofNanos(Math.max(0, at - now.hi) * 1000L);
    }

    /** Forgets threads that are gone. */
    void retain(Set<Long> liveThreadIds) {
        windows.keySet().retainAll(liveThreadIds);
    }

    private static long toMicros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }
}
