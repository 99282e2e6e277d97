package io.querysniper.core.watch;

import io.querysniper.core.rules.Verdict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Kills armed for the moment a session crosses its limit, so the kill lands then instead of at the next
 * look. Each look replaces them all (its rows are fresher); only the watcher thread uses it.
 */
final class ArmedKills {

    /**
     * @param verdict  the verdict as of the crossing
     * @param dueAt    the instant the session crosses its limit (never earlier: ages are lower bounds)
     * @param seenAt   when the rows were read
     */
    record Armed(Verdict verdict, Instant dueAt, Instant seenAt, boolean subSecond, String serverId) {
    }

    private final PriorityQueue<Armed> queue = new PriorityQueue<>(Comparator.comparing(Armed::dueAt));

    void replaceAll(List<Armed> armed) {
        queue.clear();
        queue.addAll(armed);
    }

    void clear() {
        queue.clear();
    }

    /** The earliest due instant, or null when nothing is armed. */
    Instant nextDue() {
        Armed a = queue.peek();
        return a == null ? null : a.dueAt();
    }

    /** Removes and returns every kill due at or before {@code now}, soonest first. */
    List<Armed> takeDue(Instant now) {
        List<Armed> due = new ArrayList<>();
        while (!queue.isEmpty() && !queue.peek().dueAt().isAfter(now)) {
            due.add(queue.poll());
        }
        return due;
    }

    int size() {
        return queue.size();
    }
}
