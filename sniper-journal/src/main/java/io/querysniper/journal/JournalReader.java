package io.querysniper.journal;

import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads the journal from any machine that reaches ZooKeeper. Walks only the day and hour buckets that
 * overlap the query's time range. A PENDING record whose final record never came means "outcome unknown"
 * (the node died between intent and KILL result).
 */
public final class JournalReader {
    private static final Logger log = LoggerFactory.getLogger(JournalReader.class);

    public static final Duration DEFAULT_POLL = Duration.ofMillis(250);
    /** How far back {@link #follow} keeps looking for late records (spool replays) and completed intents. */
    public static final Duration FOLLOW_LOOKBACK = Duration.ofHours(1);

    private final CuratorFramework client;
    private final Clock clock;
    private final Duration poll;

    public JournalReader(CuratorFramework client) {
        this(client, Clock.systemUTC(), DEFAULT_POLL);
    }

    public JournalReader(CuratorFramework client, Clock clock, Duration poll) {
        this.client = client;
        this.clock = clock;
        this.poll = poll;
    }

    /** Matching records, oldest first (newest last). */
    public List<KillRecord> read(JournalQuery q) {
        List<KillRecord> out = new ArrayList<>();
        for (String path : paths(q)) {
            KillRecord r = fetch(path);
            if (r != null && q.matches(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Emits the matching records, then new ones as they arrive and the final record of every intent seen
     * PENDING, until {@code stop} says so. Polls every {@link #DEFAULT_POLL} (or the configured interval).
     */
    public void follow(JournalQuery q, Consumer<KillRecord> sink, BooleanSupplier stop) {
        Map<String, KillOutcome> seen = new HashMap<>();
        scan(q, seen, sink);
        while (!stop.getAsBoolean()) {
            if (!pause(stop)) {
                return;
            }
            Instant windowStart = clock.instant().minus(FOLLOW_LOOKBACK);
            if (q.since() != null && q.since().isAfter(windowStart)) {
                windowStart = q.since();
            }
            try {
                scan(new JournalQuery(windowStart, q.until(), q.database(), q.rule()), seen, sink);
            } catch (SniperException e) {
                log.warn("journal follow: {} (retrying)", e.getMessage());
            }
            Instant forgetBefore = windowStart;
            seen.keySet().removeIf(id -> JournalPaths.idTime(id, Instant.MAX).isBefore(forgetBefore));
        }
    }

    /** Emits records not seen yet, and those seen PENDING whose outcome changed since. */
    private void scan(JournalQuery q, Map<String, KillOutcome> seen, Consumer<KillRecord> sink) {
        for (String path : paths(q)) {
            String id = path.substring(path.lastIndexOf('/') + 1);
            KillOutcome before = seen.get(id);
            if (seen.containsKey(id) && before != KillOutcome.PENDING) {
                continue;
            }
            KillRecord r = fetch(path);
            if (r == null || (seen.containsKey(id) && before == r.outcome())) {
                continue;
            }
            seen.put(id, r.outcome());
            if (q.matches(r)) {
                sink.accept(r);
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
        List<String> ids = new ArrayList<>();
        Map<String, String> bucketOf = new HashMap<>();
        for (String day : children(JournalPaths.RECORDS)) {
            Instant dayStart;
            try {
                dayStart = JournalPaths.bucketStart(day, "00");
            } catch (RuntimeException e) {
                continue; // not a bucket
            }
            if (!overlaps(q, dayStart, dayStart.plus(1, ChronoUnit.DAYS))) {
                continue;
            }
            for (String hour : children(JournalPaths.RECORDS + "/" + day)) {
                Instant hourStart;
                try {
                    hourStart = JournalPaths.bucketStart(day, hour);
                } catch (RuntimeException e) {
                    continue;
                }
                if (!overlaps(q, hourStart, hourStart.plus(1, ChronoUnit.HOURS))) {
                    continue;
                }
                String bucket = JournalPaths.RECORDS + "/" + day + "/" + hour;
                for (String id : children(bucket)) {
                    if (q.inRange(JournalPaths.idTime(id, hourStart))) {
                        ids.add(id);
                        bucketOf.put(id, bucket);
                    }
                }
            }
        }
        Collections.sort(ids);
        List<String> paths = new ArrayList<>(ids.size());
        for (String id : ids) {
            paths.add(bucketOf.get(id) + "/" + id);
        }
        return paths;
    }

    private static boolean overlaps(JournalQuery q, Instant start, Instant end) {
        return (q.until() == null || start.isBefore(q.until())) && (q.since() == null || end.isAfter(q.since()));
    }

    private List<String> children(String path) {
        try {
            return client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of(); // pruned meanwhile, or nothing journaled yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SniperException("interrupted while reading the journal at " + path, e);
        } catch (Exception e) {
            throw new SniperException("cannot read the journal at " + path + ": " + e, e);
        }
    }

    private KillRecord fetch(String path) {
        byte[] data;
        try {
            data = client.getData().forPath(path);
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
