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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps the journal within its retention (age) and its record count, oldest first. Every node runs one;
 * only the holder of the latch {@code /journal/pruner-latch} prunes, on its own thread
 * ({@code sniper-journal-pruner}), in transactions of at most {@link #BATCH} deletes, checking leadership
 * between batches. Writers never wait on it: they create in the current hour's bucket, and recreate a
 * bucket that was pruned under them.
 */
public final class RetentionPruner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RetentionPruner.class);

    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    static final int BATCH = 100;

    private enum State { LATENT, STARTED, CLOSED }

    private final CuratorFramework client;
    private final JournalOptions options;
    private final Clock clock;
    private final Duration interval;
    private final LeaderLatch latch;
    private final ScheduledExecutorService executor;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final AtomicLong deleted = new AtomicLong();

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

    /** One pass: by age, then by count, then empty old buckets. Stops as soon as leadership is lost. */
    void pruneOnce() {
        Instant now = clock.instant();
        Instant cutoff = now.minus(options.retention());
        long total = 0;
        List<Bucket> kept = new ArrayList<>();
        for (Bucket b : buckets()) {
            if (!isLeader()) {
                return;
            }
            if (!b.end().isAfter(cutoff)) {
                deleteRecords(b, Long.MAX_VALUE, cutoff);
            } else if (b.start().isBefore(cutoff)) {
                deleteRecords(b, Long.MAX_VALUE, cutoff);
                kept.add(b);
                total += numChildren(b.path());
            } else {
                kept.add(b);
                total += b.count();
            }
        }
        long excess = total - options.maxRecords();
        for (Bucket b : kept) {
            if (excess <= 0 || !isLeader()) {
                break;
            }
            excess -= deleteRecords(b, excess, Instant.MAX);
        }
        // Empty buckets of past hours go too; the current hour's is left to the writers.
        Instant pastHours = now.truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.HOURS);
        for (Bucket b : buckets()) {
            if (b.count() == 0 && b.end().isBefore(pastHours) && isLeader()) {
                deleteIfEmpty(b.path());
            }
        }
        for (String day : children(JournalPaths.RECORDS)) {
            String dayPath = JournalPaths.RECORDS + "/" + day;
            if (!dayPath.equals(JournalPaths.dayPath(now)) && numChildren(dayPath) == 0 && isLeader()) {
                deleteIfEmpty(dayPath);
            }
        }
    }

    /** Deletes up to {@code max} records of the bucket whose id time is before {@code before}, oldest first. */
    private long deleteRecords(Bucket b, long max, Instant before) {
        List<String> ids = new ArrayList<>(children(b.path()));
        Collections.sort(ids);
        List<String> victims = new ArrayList<>();
        for (String id : ids) {
            if (victims.size() >= max || !JournalPaths.idTime(id, b.start()).isBefore(before)) {
                break;
            }
            victims.add(b.path() + "/" + id);
        }
        long n = 0;
        for (int i = 0; i < victims.size(); i += BATCH) {
            if (!isLeader()) {
                break;
            }
            n += deleteBatch(victims.subList(i, Math.min(victims.size(), i + BATCH)));
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

    private record Bucket(String path, Instant start, Instant end, int count) {
    }

    /** All hour buckets, oldest first, with their record counts. */
    private List<Bucket> buckets() {
        List<Bucket> out = new ArrayList<>();
        List<String> days = new ArrayList<>(children(JournalPaths.RECORDS));
        Collections.sort(days);
        for (String day : days) {
            List<String> hours = new ArrayList<>(children(JournalPaths.RECORDS + "/" + day));
            Collections.sort(hours);
            for (String hour : hours) {
                Instant start;
                try {
                    start = JournalPaths.bucketStart(day, hour);
                } catch (RuntimeException e) {
                    continue;
                }
                String path = JournalPaths.RECORDS + "/" + day + "/" + hour;
                out.add(new Bucket(path, start, start.plus(1, ChronoUnit.HOURS), numChildren(path)));
            }
        }
        return out;
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

    private List<String> children(String path) {
        try {
            return client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SniperException("interrupted while pruning the journal", e);
        } catch (Exception e) {
            throw new SniperException("cannot list journal bucket " + path + ": " + e, e);
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
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("journal pruner did not stop within 5 s");
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
