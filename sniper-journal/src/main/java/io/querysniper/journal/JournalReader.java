package io.querysniper.journal;

import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads the journal from any machine that reaches ZooKeeper. Walks only the buckets (day, hour, minute,
 * second) that overlap the query's time range. A PENDING record whose final record never came means
 * "outcome unknown" (the node died between intent and KILL result).
 */
public final class JournalReader {
    private static final Logger log = LoggerFactory.getLogger(JournalReader.class);

    public static final Duration DEFAULT_POLL = Duration.ofMillis(250);
    /** How far back {@link #follow} keeps looking for late records (spool replays). */
    public static final Duration FOLLOW_LOOKBACK = Duration.ofHours(1);
    /** {@link #follow} rescans the last few seconds on every poll, and the whole lookback this often. */
    static final Duration RECENT = Duration.ofSeconds(10);
    static final Duration LOOKBACK_RESCAN = Duration.ofSeconds(30);
    /** Pending intents {@link #follow} watches for their outcome, whatever their age; the oldest are dropped beyond. */
    public static final int MAX_WATCHED_INTENTS = 10_000;

    private final CuratorFramework client;
    private final BucketTree tree;
    private final Clock clock;
    private final Duration poll;

    public JournalReader(CuratorFramework client) {
        this(client, Clock.systemUTC(), DEFAULT_POLL);
    }

    public JournalReader(CuratorFramework client, Clock clock, Duration poll) {
        this.client = client;
        this.tree = new BucketTree(client);
        this.clock = clock;
        this.poll = poll;
    }

    /** Matching records, oldest first (newest last). */
    public List<KillRecord> read(JournalQuery q) {
        List<KillRecord> out = new ArrayList<>();
        for (String path : paths(q)) {
            KillRecord r = fetch(path, null);
            if (r != null && q.matches(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Emits the matching records, then new ones as they arrive, until {@code stop} says so. Polls every
     * {@link #DEFAULT_POLL} (or the configured interval): the last {@link #RECENT} on every poll, the last
     * {@link #FOLLOW_LOOKBACK} every {@link #LOOKBACK_RESCAN} (late records from spool replays). An intent
     * it showed as PENDING is watched in ZooKeeper, whatever its age, and its final record is emitted when
     * it comes (up to {@link #MAX_WATCHED_INTENTS} intents).
     */
    public void follow(JournalQuery q, Consumer<KillRecord> sink, BooleanSupplier stop) {
        Follower f = new Follower(q, sink);
        f.scan(q);
        long lastFull = System.nanoTime();
        while (!stop.getAsBoolean()) {
            if (!pause(stop)) {
                return;
            }
            try {
                f.updateWatched();
                boolean full = System.nanoTime() - lastFull >= LOOKBACK_RESCAN.toNanos();
                Instant now = clock.instant();
                Instant windowStart = now.minus(full ? FOLLOW_LOOKBACK : RECENT);
                if (q.since() != null && q.since().isAfter(windowStart)) {
                    windowStart = q.since();
                }
                f.scan(new JournalQuery(windowStart, q.until(), q.database(), q.rule()));
                if (full) {
                    lastFull = System.nanoTime();
                    Instant forgetBefore = now.minus(FOLLOW_LOOKBACK);
                    f.seen.keySet().removeIf(id -> JournalPaths.idTime(id, Instant.MAX).isBefore(forgetBefore));
                }
            } catch (SniperException e) {
                log.warn("journal follow: {} (retrying)", e.getMessage());
            }
        }
        f.watched.clear();
    }

    /** The state of one {@link #follow}: what it showed, and the pending intents it watches. */
    private final class Follower implements Watcher {
        final JournalQuery query;
        final Consumer<KillRecord> sink;
        final Map<String, KillOutcome> seen = new HashMap<>();
        /** path -> outcome shown; insertion order, oldest dropped beyond the cap. */
        final Map<String, KillOutcome> watched = new LinkedHashMap<>();
        final Queue<String> changed = new ConcurrentLinkedQueue<>();
        volatile boolean resetAll;

        Follower(JournalQuery query, Consumer<KillRecord> sink) {
            this.query = query;
            this.sink = sink;
        }

        @Override
        public void process(WatchedEvent e) {
            if (e.getType() == Event.EventType.None) {
                if (e.getState() == Event.KeeperState.Expired) {
                    resetAll = true; // a new session has no watches: fetch every watched intent again
                }
            } else if (e.getPath() != null) {
                changed.add(e.getPath());
            }
        }

        /** Emits records not seen yet in the range; PENDING ones are watched from then on. */
        void scan(JournalQuery q) {
            for (String path : paths(q)) {
                String id = path.substring(path.lastIndexOf('/') + 1);
                if (seen.containsKey(id)) {
                    continue; // shown already; updates of intents come through the watch
                }
                KillRecord r = fetch(path, null);
                if (r == null) {
                    continue;
                }
                seen.put(id, r.outcome());
                if (!query.matches(r)) {
                    continue;
                }
                sink.accept(r);
                if (r.outcome() == KillOutcome.PENDING) {
                    watch(path, r.outcome());
                }
            }
        }

        private void watch(String path, KillOutcome shown) {
            watched.put(path, shown);
            if (watched.size() > MAX_WATCHED_INTENTS) {
                watched.remove(watched.keySet().iterator().next());
            }
            changed.add(path); // fetch again with the watch set, so a final record written meanwhile is not missed
        }

        /** Fetches the watched intents that changed, emitting those whose outcome differs from what was shown. */
        void updateWatched() {
            if (resetAll) {
                resetAll = false;
                changed.addAll(watched.keySet());
            }
            String path;
            while ((path = changed.poll()) != null) {
                KillOutcome shown = watched.get(path);
                if (shown == null) {
                    continue; // dropped beyond the cap, or final already
                }
                KillRecord r = fetch(path, this);
                if (r == null) {
                    watched.remove(path); // pruned
                    continue;
                }
                if (r.outcome() != shown) {
                    seen.put(r.id(), r.outcome());
                    sink.accept(r);
                }
                if (r.outcome() == KillOutcome.PENDING) {
                    watched.put(path, r.outcome());
                } else {
                    watched.remove(path);
                }
            }
        }
    }

    private boolean pause(BooleanSupplier stop) {
        long until = System.nanoTime() + poll.toNanos();
        try {
            while (System.nanoTime() < until) {
                if (stop.getAsBoolean()) {
                    return false;
                }
                Thread.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Paths of the records whose id time is in the query's range, sorted by id (time). */
    List<String> paths(JournalQuery q) {
        List<String> paths = new ArrayList<>();
        for (BucketTree.Bucket leaf : tree.leaves(q.since(), q.until())) {
            List<String> ids = new ArrayList<>(tree.children(leaf.path()));
            Collections.sort(ids); // within one second; the leaves come in time order
            for (String id : ids) {
                if (q.inRange(JournalPaths.idTime(id, leaf.start()))) {
                    paths.add(leaf.path() + "/" + id);
                }
            }
        }
        return paths;
    }

    private KillRecord fetch(String path, Watcher watcher) {
        byte[] data;
        try {
            data = watcher == null ? client.getData().forPath(path) : client.getData().usingWatcher(watcher).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SniperException("interrupted while reading the journal at " + path, e);
        } catch (Exception e) {
            throw new SniperException("cannot read the journal at " + path + ": " + e, e);
        }
        try {
            return KillRecordCodec.decode(data);
        } catch (SniperException e) {
            log.warn("skipping unreadable journal record {}: {}", path, e.getMessage());
            return null;
        }
    }
}
