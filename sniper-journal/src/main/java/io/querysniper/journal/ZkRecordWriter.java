package io.querysniper.journal;

import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes records to ZooKeeper, idempotently: an intent (PENDING) is created and never overwrites what is
 * already there (its own earlier copy or, after an out-of-order replay, the final record); a final record
 * replaces whatever is at its path or creates it. Records are sent in multi-op transactions of a bounded
 * size; if a transaction fails because a node exists or is missing (a replay, a pruned bucket), its
 * records are written one by one. Used by one thread only.
 */
final class ZkRecordWriter {

    /** Ops per transaction; with records of at most 4 KB this stays far below jute.maxbuffer (1 MB). */
    static final int MAX_OPS = 100;
    private static final int MAX_TX_BYTES = 256 * 1024;
    private static final int REMEMBERED = 20_000;

    private final CuratorFramework client;
    private final Clock clock;
    /** Hour buckets known to exist, so transactions need not create parents. */
    private final Set<String> knownBuckets = new HashSet<>();
    /** Ids whose intent this writer created, so their final record is a setData (bounded, oldest forgotten). */
    private final Map<String, Boolean> intents = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    ZkRecordWriter(CuratorFramework client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    boolean connected() {
        return client.getZookeeperClient().isConnected();
    }

    /** Writes all records in order; throws when ZooKeeper could not take them (the caller spools). */
    void write(List<KillRecord> records) {
        List<KillRecord> chunk = new ArrayList<>(MAX_OPS);
        int bytes = 0;
        for (KillRecord r : records) {
            byte[] data = KillRecordCodec.encode(r);
            if (!chunk.isEmpty() && (chunk.size() >= MAX_OPS || bytes + data.length > MAX_TX_BYTES)) {
                writeChunk(chunk);
                chunk.clear();
                bytes = 0;
            }
            chunk.add(r);
            bytes += data.length;
        }
        if (!chunk.isEmpty()) {
            writeChunk(chunk);
        }
    }

    private void writeChunk(List<KillRecord> chunk) {
        try {
            if (chunk.size() == 1) {
                writeOne(chunk.get(0));
                return;
            }
            List<CuratorOp> ops = new ArrayList<>(chunk.size());
            Set<String> createdHere = new HashSet<>();
            for (KillRecord r : chunk) {
                String path = path(r);
                ensureBucket(path);
                byte[] data = KillRecordCodec.encode(r);
                boolean exists = intents.containsKey(r.id()) || createdHere.contains(r.id());
                if (r.outcome() == KillOutcome.PENDING && exists) {
                    continue;
                }
                if (exists) {
                    ops.add(client.transactionOp().setData().forPath(path, data));
                } else {
                    ops.add(client.transactionOp().create().forPath(path, data));
                    createdHere.add(r.id());
                }
            }
            try {
                client.transaction().forOperations(ops);
                chunk.forEach(this::remember);
            } catch (KeeperException.NodeExistsException | KeeperException.NoNodeException e) {
                // A replay or a bucket pruned under us: sort it out record by record.
                for (KillRecord r : chunk) {
                    writeOne(r);
                }
            }
        } catch (SniperException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SniperException("interrupted while writing " + chunk.size() + " journal records", e);
        } catch (Exception e) {
            throw new SniperException("cannot write " + chunk.size() + " journal records to ZooKeeper: " + e, e);
        }
    }

    private void writeOne(KillRecord r) throws Exception {
        String path = path(r);
        byte[] data = KillRecordCodec.encode(r);
        if (r.outcome() == KillOutcome.PENDING) {
            try {
                client.create().creatingParentsIfNeeded().forPath(path, data);
            } catch (KeeperException.NodeExistsException e) {
                // Written before (a replay) or already completed: the intent must not overwrite a final record.
            }
        } else {
            try {
                client.setData().forPath(path, data);
            } catch (KeeperException.NoNodeException e) {
                try {
                    client.create().creatingParentsIfNeeded().forPath(path, data);
                } catch (KeeperException.NodeExistsException raced) {
                    client.setData().forPath(path, data);
                }
            }
        }
        remember(r);
    }

    private void remember(KillRecord r) {
        if (r.outcome() == KillOutcome.PENDING) {
            intents.put(r.id(), Boolean.TRUE);
        } else {
            intents.remove(r.id());
        }
    }

    private void ensureBucket(String recordPath) throws Exception {
        String bucket = recordPath.substring(0, recordPath.lastIndexOf('/'));
        if (knownBuckets.contains(bucket)) {
            return;
        }
        try {
            client.create().creatingParentsIfNeeded().forPath(bucket);
        } catch (KeeperException.NodeExistsException e) {
            // fine: another node made it
        }
        if (knownBuckets.size() > 64) {
            knownBuckets.clear(); // old hours: forget them, the pruner may delete them
        }
        knownBuckets.add(bucket);
    }

    private String path(KillRecord r) {
        return JournalPaths.recordPath(r.id(), r.time() != null ? r.time() : clock.instant());
    }
}
