package io.querysniper.journal;

import io.querysniper.core.SniperException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Walks the bucket levels under {@link JournalPaths#RECORDS} (day, hour, minute, second), visiting only
 * the buckets that overlap a time range, oldest first. Shared by the reader and the pruner.
 */
final class BucketTree {

    /** A bucket at some level; {@code names} are the child names from the day down to it. */
    record Bucket(JournalPaths.Level level, String path, List<String> names, Instant start) {
        Instant end() {
            return start.plus(level.length());
        }

        boolean overlaps(Instant since, Instant until) {
            return (until == null || start.isBefore(until)) && (since == null || end().isAfter(since));
        }
    }

    private final CuratorFramework client;

    BucketTree(CuratorFramework client) {
        this.client = client;
    }

    /** The day buckets, oldest first. */
    List<Bucket> days() {
        return children((Bucket) null);
    }

    /** The child buckets of {@code parent} (the days when null), oldest first; names that are no bucket are skipped. */
    List<Bucket> children(Bucket parent) {
        String path = parent == null ? JournalPaths.RECORDS : parent.path();
        JournalPaths.Level level = parent == null ? JournalPaths.Level.DAY : parent.level().next();
        List<String> names = new ArrayList<>(children(path));
        Collections.sort(names);
        List<Bucket> out = new ArrayList<>(names.size());
        for (String name : names) {
            List<String> full = new ArrayList<>(parent == null ? List.of() : parent.names());
            full.add(name);
            try {
                out.add(new Bucket(level, path + "/" + name, List.copyOf(full), JournalPaths.bucketStart(full)));
            } catch (RuntimeException notABucket) {
                // e.g. a stray node: not ours to read or delete
            }
        }
        return out;
    }

    /** Leaf (one-second) buckets overlapping [since, until), oldest first; null bounds are open. */
    List<Bucket> leaves(Instant since, Instant until) {
        List<Bucket> out = new ArrayList<>();
        collect(null, since, until, out);
        return out;
    }

    private void collect(Bucket parent, Instant since, Instant until, List<Bucket> out) {
        for (Bucket b : children((Bucket) parent)) {
            if (!b.overlaps(since, until)) {
                continue;
            }
            if (b.level().isLeaf()) {
                out.add(b);
            } else {
                collect(b, since, until, out);
            }
        }
    }

    /** Child names of a znode; empty when it is gone (pruned meanwhile, or nothing journaled yet). */
    List<String> children(String path) {
        try {
            return client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SniperException("interrupted while reading the journal at " + path, e);
        } catch (Exception e) {
            throw new SniperException("cannot read the journal at " + path + ": " + e, e);
        }
    }
}
