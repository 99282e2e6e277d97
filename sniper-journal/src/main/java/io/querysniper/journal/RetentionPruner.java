package io.querysniper.journal;

import io.querysniper.core.SniperException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps the journal within its retention (age) and its record count, oldest first. Every node runs one;
 * only the holder of the latch {@code /journal/pruner-latch} prunes, on its own thread
 * ({@code sniper-journal-pruner}), in transactions of at most {@link #BATCH} deletes, checking leadership
 * between batches. Writers never wait on it: they create in the current second's bucket, and recreate a
 * bucket that was pruned under them. Counting walks only the recent hours on each pass; older hours'
 * counts are cached (see {@link #FULL_RECOUNT}), so a pass costs a few thousand reads at most.
 */
public final class RetentionPruner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RetentionPruner.class);

    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    /** {@link #close()} waits this long for a pruning round to stop (it is interrupted; batches are small). */
    public static final Duration CLOSE_BOUND = Duration.ofSeconds(1);
    static final int BATCH = 100;
    /** Empty buckets are removed once they ended this long ago (writers make the current ones ahead). */
    static final Duration EMPTY_GRACE = Duration.ofMinutes(2);
    /** Hours that ended this long ago are sealed: their count is cached between full recounts. */
    static final Duration SEAL = Duration.ofMinutes(5);
    static final Duration FULL_RECOUNT = Duration.ofHours(1);

    private enum State { LATENT, STARTED, CLOSED }

    private final CuratorFramework client;
    private final JournalOptions options;
    private final Clock clock;
    private final Duration interval;
    private final LeaderLatch latch;
    private final ScheduledExecutorService executor;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final AtomicLong deleted = new AtomicLong();
    private final BucketTree tree;
    /** Record counts of sealed hour buckets (pruner thread only). */
    private final Map<String, Long> sealedCounts = new HashMap<>();
    private long lastFullRecount = System.nanoTime();

    public RetentionPruner(CuratorFramework client, JournalOptions options, Clock clock) {
        this(client, options, clock, DEFAULT_INTERVAL);
    }

    public RetentionPruner(CuratorFramework client, JournalOptions options, Clock clock, Duration interval) {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new SniperException("pruner interval must be positive, got " + interval);
        }
        this.client = client;
        this.options = options;
        this.clock = clock;
        this.interval = interval;
        this.tree = new BucketTree(client);
        this.latch = new LeaderLatch(client, JournalPaths.PRUNER_LATCH, options.nodeId());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sniper-journal-pruner");
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, e) -> log.error("journal pruner died", e));
            return t;
        });
    }

    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new SniperException("pruner already started or closed");
        }
        try {
            latch.start();
        } catch (Exception e) {
            throw new SniperException("cannot start the journal pruner latch: " + e, e);
        }
        executor.scheduleWithFixedDelay(this::runSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True while this node is the one that prunes. */
    public boolean isLeader() {
        return latch.hasLeadership();
    }

    /** Records (and empty buckets) this pruner deleted. */
    public long deletedCount() {
        return deleted.get();
    }

    private void runSafely() {
        MDC.put("qs.node", options.nodeId());
        try {
            if (isLeader()) {
                pruneOnce();
            }
        } catch (SniperException e) {
            log.warn("journal pruning failed, retrying in {} ms: {}", interval.toMillis(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("journal pruning failed", e);
        }
    }

    /** One pass: by age, then by count (oldest first), removing emptied buckets. Stops as soon as leadership is lost. */
    void pruneOnce() {
        Instant now = clock.instant();
        Instant cutoff = now.minus(options.retention());
        Instant emptyBefore = now.minus(EMPTY_GRACE);
        if (System.nanoTime() - lastFullRecount >= FULL_RECOUNT.toNanos()) {
            sealedCounts.clear();
            lastFullRecount = System.nanoTime();
        }
        for (BucketTree.Bucket day : tree.days()) {
            if (!isLeader() || !day.start().isBefore(cutoff)) {
                break;
            }
            prune(day, cutoff, Long.MAX_VALUE, emptyBefore);
        }
        List<BucketTree.Bucket> hours = new ArrayList<>();
        long total = 0;
        for (BucketTree.Bucket day : tree.days()) {
            List<BucketTree.Bucket> dayHours = tree.children(day);
            if (dayHours.isEmpty() && day.end().isBefore(emptyBefore) && isLeader()) {
                deleteIfEmpty(day.path());
            }
            for (BucketTree.Bucket hour : dayHours) {
                if (!isLeader()) {
                    return;
                }
                total += count(hour, emptyBefore, hour.end().isBefore(now.minus(SEAL)));
                hours.add(hour);
            }
        }
        long excess = total - options.maxRecords();
        for (BucketTree.Bucket hour : hours) {
            if (excess <= 0 || !isLeader()) {
                break;
            }
            long n = prune(hour, Instant.MAX, excess, emptyBefore);
            sealedCounts.computeIfPresent(hour.path(), (k, v) -> v - n);
            excess -= n;
        }
    }

    /**
     * Records in an hour bucket. Hours that ended more than {@link #SEAL} ago are counted once and then
     * taken from a cache until the next full recount ({@link #FULL_RECOUNT}): a late record (a spool replay
     * into a past hour) is counted then. Empty buckets older than {@code emptyBefore} go on the way.
     */
    private long count(BucketTree.Bucket hour, Instant emptyBefore, boolean sealed) {
        Long cached = sealed ? sealedCounts.get(hour.path()) : null;
        if (cached != null) {
            return cached;
        }
        long n = 0;
        for (BucketTree.Bucket minute : tree.children(hour)) {
            long inMinute = 0;
            for (BucketTree.Bucket second : tree.children(minute)) {
                int c = numChildren(second.path());
                if (c == 0 && second.end().isBefore(emptyBefore) && isLeader()) {
                    deleteIfEmpty(second.path());
                }
                inMinute += c;
            }
            if (inMinute == 0 && minute.end().isBefore(emptyBefore) && isLeader()) {
                deleteIfEmpty(minute.path());
            }
            n += inMinute;
        }
        if (n == 0 && hour.end().isBefore(emptyBefore) && isLeader()) {
            deleteIfEmpty(hour.path());
        }
        if (sealed) {
            sealedCounts.put(hour.path(), n);
        }
        return n;
    }

    /**
     * Deletes up to {@code max} records of the bucket whose id time is before {@code before}, oldest first,
     * then the buckets this emptied if they ended before {@code emptyBefore}. Returns the records deleted.
     */
    private long prune(BucketTree.Bucket b, Instant before, long max, Instant emptyBefore) {
        long n = 0;
        boolean all = true;
        if (b.level().isLeaf()) {
            List<String> ids = new ArrayList<>(tree.children(b.path()));
            Collections.sort(ids);
            List<String> victims = new ArrayList<>();
            for (String id : ids) {
                if (victims.size() >= max || !JournalPaths.idTime(id, b.start()).isBefore(before)) {
                    break;
                }
                victims.add(b.path() + "/" + id);
            }
            all = victims.size() == ids.size();
            for (int i = 0; i < victims.size() && isLeader(); i += BATCH) {
                n += deleteBatch(victims.subList(i, Math.min(victims.size(), i + BATCH)));
            }
        } else {
            for (BucketTree.Bucket child : tree.children(b)) {
                if (n >= max || !child.start().isBefore(before) || !isLeader()) {
                    all = false;
                    break;
                }
                n += prune(child, before, max - n, emptyBefore);
            }
        }
        if (all && b.end().isBefore(emptyBefore) && isLeader()) {
            deleteIfEmpty(b.path()); // fails quietly when something is left (or a late record just came)
            if (b.level() == JournalPaths.Level.HOUR) {
                sealedCounts.remove(b.path());
            }
        }
        return n;
    }

    private long deleteBatch(List<String> paths) {
        try {
            List<CuratorOp> ops = new ArrayList<>(paths.size());
            for (String p : paths) {
                ops.add(client.transactionOp().delete().forPath(p));
            }
            try {
                client.transaction().forOperations(ops);
            } catch (KeeperException.NoNodeException e) {
                for (String p : paths) {
                    try {
                        client.delete().forPath(p);
                    } catch (KeeperException.NoNodeException gone) {
                        // already gone
                    }
                }
            }
            deleted.addAndGet(paths.size());
            return paths.size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SniperException("interrupted while pruning the journal", e);
        } catch (Exception e) {
            throw new SniperException("cannot prune " + paths.size() + " journal records: " + e, e);
        }
    }

    private void deleteIfEmpty(String path) {
        try {
            client.delete().forPath(path);
        } catch (KeeperException.NotEmptyException | KeeperException.NoNodeException e) {
            // a late record (spool replay) arrived, or someone else deleted it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SniperException("interrupted while pruning the journal", e);
        } catch (Exception e) {
            throw new SniperException("cannot delete journal bucket " + path + ": " + e, e);
        }
    }

    private int numChildren(String path) {
        try {
            Stat stat = client.checkExists().forPath(path);
            return stat == null ? 0 : stat.getNumChildren();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SniperException("interrupted while pruning the journal", e);
        } catch (Exception e) {
            throw new SniperException("cannot read journal bucket " + path + ": " + e, e);
        }
    }

    /** Stops pruning and gives up the latch, so another node takes over. Safe to call twice. */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(CLOSE_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("journal pruner did not stop within {}", CLOSE_BOUND);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (previous == State.STARTED) {
            try {
                latch.close();
            } catch (IOException | IllegalStateException e) {
                log.warn("closing the journal pruner latch failed: {}", e.toString());
            }
        }
    }
}
