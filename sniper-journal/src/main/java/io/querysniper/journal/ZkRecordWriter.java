package io.querysniper.journal;

import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    /** Beyond Curator's own retries: a transaction that has not answered by then counts as failed (spooled). */
    private static final long TX_TIMEOUT_MS = 30_000;

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

    /**
     * Writes all records in order; throws when ZooKeeper could not take them (the caller spools). The
     * transactions of one call are pipelined: ZooKeeper applies one session's requests in order, and a
     * transaction that fails on an existing or missing node is redone record by record afterwards,
     * which is safe because every write is idempotent.
     */
    void write(List<KillRecord> records) {
        List<List<KillRecord>> chunks = new ArrayList<>();
        List<KillRecord> chunk = new ArrayList<>(MAX_OPS);
        int bytes = 0;
        for (KillRecord r : records) {
            int size = KillRecordCodec.encode(r).length;
            if (!chunk.isEmpty() && (chunk.size() >= MAX_OPS || bytes + size > MAX_TX_BYTES)) {
                chunks.add(chunk);
                chunk = new ArrayList<>(MAX_OPS);
                bytes = 0;
            }
            chunk.add(r);
            bytes += size;
        }
        if (!chunk.isEmpty()) {
            chunks.add(chunk);
        }
        try {
            List<CompletableFuture<KeeperException.Code>> sent = new ArrayList<>(chunks.size());
            for (List<KillRecord> c : chunks) {
                sent.add(send(c));
            }
            for (int i = 0; i < chunks.size(); i++) {
                KeeperException.Code rc = sent.get(i).get(TX_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                if (rc == KeeperException.Code.OK) {
                    chunks.get(i).forEach(this::remember);
                } else if (rc == KeeperException.Code.NODEEXISTS || rc == KeeperException.Code.NONODE) {
                    for (KillRecord r : chunks.get(i)) { // a replay, or a bucket pruned under us
                        writeOne(r);
                    }
                } else {
                    throw new SniperException("cannot write " + chunks.get(i).size()
                            + " journal records to ZooKeeper: " + rc);
                }
            }
        } catch (SniperException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SniperException("interrupted while writing " + records.size() + " journal records", e);
        } catch (Exception e) {
            throw new SniperException("cannot write " + records.size() + " journal records to ZooKeeper: " + e, e);
        }
    }

    /** Sends one transaction in the background; the future completes with its result code. */
    private CompletableFuture<KeeperException.Code> send(List<KillRecord> chunk) throws Exception {
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
        CompletableFuture<KeeperException.Code> done = new CompletableFuture<>();
        if (ops.isEmpty()) {
            done.complete(KeeperException.Code.OK);
            return done;
        }
        client.transaction()
                .inBackground((c, event) -> done.complete(KeeperException.Code.get(event.getResultCode())))
                .forOperations(ops);
        return done;
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
