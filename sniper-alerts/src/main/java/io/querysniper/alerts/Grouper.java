package io.querysniper.alerts;

import io.querysniper.core.kill.KillRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Alertmanager-style grouping for one sink, pure and driven by the instants it is given.
 *
 * <ul>
 * <li>Kills: the first event of a group (event, database, rule) waits {@code aggregateWindow} for company;
 *     then one notification carries every event of the window. The next event opens a new window.</li>
 * <li>Conditions: a firing condition is sent after the window (a flap shorter than the window is never
 *     sent), then again every {@code repeatInterval} while it stays true; its end is sent (when
 *     {@code sendResolved}) at once, and only if its start was sent.</li>
 * </ul>
 * Not thread-safe: one ticker thread owns it.
 */
final class Grouper {
    /** Kill records one notification carries at most (its count has them all). */
    static final int MAX_RECORDS = 1000;

    private final String sink;
    private final String node;
    private final Duration window;
    private final Duration repeat;
    private final boolean sendResolved;
    private final Map<GroupKey, Group> groups = new LinkedHashMap<>();

    Grouper(String sink, String node, Duration window, Duration repeat, boolean sendResolved) {
        this.sink = sink;
        this.node = node;
        this.window = window;
        this.repeat = repeat;
        this.sendResolved = sendResolved;
    }

    private static final class Group {
        final GroupKey key;
        final List<KillRecord> kills = new ArrayList<>();
        int count;
        Instant firstAt;
        Instant lastAt;
        /** When the pending notification is due; null: nothing pending. */
        Instant dueAt;
        boolean firing;
        boolean firingSent;
        boolean resolvedPending;
        String detail;

        Group(GroupKey key) {
            this.key = key;
        }
    }

    void add(AlertEvent e, Instant now) {
        GroupKey key = e.key();
        if (!e.type().condition()) {
            Group g = groups.computeIfAbsent(key, Group::new);
            if (g.dueAt == null) {
                g.dueAt = now.plus(window);
                g.firstAt = e.time();
            }
            g.count++;
            g.lastAt = e.time();
            if (e.kill() != null && g.kills.size() < MAX_RECORDS) {
                g.kills.add(e.kill());
            }
            return;
        }
        Group g = groups.get(key);
        if (!e.resolved()) {
            if (g != null && g.firing) {
                return;
            }
            g = new Group(key);
            g.firing = true;
            g.firstAt = e.time();
            g.lastAt = e.time();
            g.count = 1;
            g.detail = e.detail();
            g.dueAt = now.plus(window);
            groups.put(key, g);
            return;
        }
        if (g == null || !g.firing) {
            return;
        }
        if (!g.firingSent || !sendResolved) {
            groups.remove(key);
            return;
        }
        g.firing = false;
        g.resolvedPending = true;
        g.lastAt = e.time();
        g.detail = e.detail() == null ? g.detail : e.detail();
        g.dueAt = now;
    }

    /** The notifications due at {@code now}, in the order their groups began. */
    List<Notification> due(Instant now) {
        List<Notification> out = new ArrayList<>();
        for (Iterator<Group> it = groups.values().iterator(); it.hasNext(); ) {
            Group g = it.next();
            if (g.dueAt == null || now.isBefore(g.dueAt)) {
                continue;
            }
            if (!g.key.event().condition()) {
                out.add(new Notification(sink, g.key, Notification.Status.FIRING, g.firstAt, g.lastAt, g.count,
                        g.kills, null, node, false));
                it.remove();
            } else if (g.resolvedPending) {
                out.add(new Notification(sink, g.key, Notification.Status.RESOLVED, g.firstAt, g.lastAt, 1,
                        List.of(), g.detail, node, false));
                it.remove();
            } else {
                out.add(new Notification(sink, g.key, Notification.Status.FIRING, g.firstAt, now, 1, List.of(),
                        g.detail, node, g.firingSent));
                g.firingSent = true;
                g.dueAt = now.plus(repeat);
            }
        }
        return out;
    }

    /** Forgets the matching groups without a word (fleet events when another node takes over sending them). */
    void forget(Predicate<GroupKey> which) {
        groups.keySet().removeIf(which);
    }

    int groupCount() {
        return groups.size();
    }
}
