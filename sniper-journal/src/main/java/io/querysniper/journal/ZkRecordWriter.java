package io.querysniper.journal;

import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes records to ZooKeeper, idempotently: an intent (PENDING) is created and never overwrites what is
 * already there (its own earlier copy or, after an out-of-order replay, the final record); a final record
 * replaces whatever is at its path or creates it. Records are sent as pipelined multi-op transactions of a
 * bounded size ({@link #send}); ZooKeeper applies one session's requests in order. A transaction that fails
 * because a node exists or is missing (a replay, a pruned bucket) is redone record by record
 * ({@link #settle}). Used by the journal's writer thread only, except the bucket callbacks.
 */
final class ZkRecordWriter {
    private static final Logger log = LoggerFactory.getLogger(ZkRecordWriter.class);

    /** Ops per transaction; with records of at most 4 KB this stays far below jute.maxbuffer (1 MB). */
    static final int MAX_OPS = 100;
    private static final int MAX_TX_BYTES = 256 * 1024;
    private static final int REMEMBERED = 20_000;
    private static final int KNOWN_BUCKETS = 600;

    /** One transaction in flight: the records of {@code batch[from, to)} and its result code. */
    record Chunk(int from, int to, List<KillRecord> records, CompletableFuture<KeeperException.Code> result) {
    }

    private final CuratorFramework client;
    private final Clock clock;
    /** Leaf buckets known to exist (filled by the writer and by the callbacks of buckets made ahead). */
    private final Set<String> knownBuckets = ConcurrentHashMap.newKeySet();
    /** Buckets {@link #prepareBucket} asked for and ZooKeeper has not answered yet. */
    private final Set<String> preparing = ConcurrentHashMap.newKeySet();
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
     * Sends the records as transactions in the background, in order, and returns them; the caller waits on
     * each chunk's result and then calls {@link #settle}. Throws when a transaction cannot even be sent.
     */
    List<Chunk> send(List<KillRecord> records) {
        List<Chunk> chunks = new ArrayList<>();
        int from = 0;
        int bytes = 0;
        for (int i = 0; i < records.size(); i++) {
            int size = KillRecordCodec.encode(records.get(i)).length;
            if (i > from && (i - from >= MAX_OPS || bytes + size > MAX_TX_BYTES)) {
                chunks.add(sendChunk(records, from, i));
                from = i;
                bytes = 0;
            }
            bytes += size;
        }
        if (from < records.size()) {
            chunks.add(sendChunk(records, from, records.size()));
        }
        return chunks;
    }

    /**
     * Finishes a chunk whose transaction answered: remembers what it created, or, when it failed on an
     * existing or missing node or on a refusal for good ({@link ZkRefusal}), writes its records one by one
     * (synchronously). Returns the records ZooKeeper refused for good (to quarantine), with their codes;
     * throws on any other result (the caller spools or retries).
     */
    List<Refused> settle(Chunk chunk, KeeperException.Code rc) {
        if (rc == KeeperException.Code.OK) {
            chunk.records().forEach(this::remember);
            return List.of();
        }
        if (rc != KeeperException.Code.NODEEXISTS && rc != KeeperException.Code.NONODE
                && ZkRefusal.of(rc) != ZkRefusal.FOR_GOOD) {
            throw new SniperException("cannot write " + chunk.records().size() + " journal records to ZooKeeper: " + rc);
        }
        // A replay, a bucket pruned under us, or one record refused: only that record must stay behind.
        List<Refused> refused = new ArrayList<>();
        for (KillRecord r : chunk.records()) {
            KeeperException.Code one = writeOne(r);
            if (one != KeeperException.Code.OK) {
                refused.add(new Refused(r, one));
            }
        }
        return refused;
    }

    /** A record ZooKeeper refused for good, and its answer. */
    record Refused(KillRecord record, KeeperException.Code code) {
    }

    private Chunk sendChunk(List<KillRecord> all, int from, int to) {
        List<KillRecord> records = all.subList(from, to);
        CompletableFuture<KeeperException.Code> done = new CompletableFuture<>();
        try {
            List<CuratorOp> ops = new ArrayList<>(records.size());
            Set<String> createdHere = new HashSet<>();
            for (KillRecord r : records) {
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
            if (ops.isEmpty()) {
                done.complete(KeeperException.Code.OK);
            } else {
                client.transaction()
                        .inBackground((c, event) -> done.complete(KeeperException.Code.get(event.getResultCode())))
                        .forOperations(ops);
            }
        } catch (SniperException e) {
            throw e;
        } catch (KeeperException e) {
            if (ZkRefusal.of(e.code()) != ZkRefusal.FOR_GOOD) {
                throw new SniperException("cannot send " + records.size() + " journal records to ZooKeeper: " + e, e);
            }
            done.complete(e.code()); // a bucket refused for good: settle sorts out which records are refused
        } catch (Exception e) {
            throw new SniperException("cannot send " + records.size() + " journal records to ZooKeeper: " + e, e);
        }
        return new Chunk(from, to, List.copyOf(records), done);
    }

    /** Writes one record; OK, or the code of a refusal for good. Throws on any other failure. */
    private KeeperException.Code writeOne(KillRecord r) {
        String path = path(r);
        byte[] data = KillRecordCodec.encode(r);
        try {
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
        } catch (KeeperException e) {
            if (ZkRefusal.of(e.code()) == ZkRefusal.FOR_GOOD) {
                return e.code();
            }
            throw new SniperException("cannot write journal record " + r.id() + " to ZooKeeper: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SniperException("interrupted while writing journal record " + r.id(), e);
        } catch (Exception e) {
            throw new SniperException("cannot write journal record " + r.id() + " to ZooKeeper: " + e, e);
        }
        remember(r);
        return KeeperException.Code.OK;
    }

    private void remember(KillRecord r) {
        if (r.outcome() == KillOutcome.PENDING) {
            intents.put(r.id(), Boolean.TRUE);
        } else {
            intents.remove(r.id());
        }
    }

    /**
     * Makes the record's leaf bucket exist before the transaction that writes into it (a transaction cannot
     * "create if missing"). The first record of a second waits one round trip; the next second's bucket is
     * then made ahead in the background, so under steady load the writer hardly ever waits.
     */
    /** Warm-up rounds, each a transaction of {@link #WARM_UP_OPS} creates and one of as many deletes. */
    static final int WARM_UP_ROUNDS = 20;
    static final int WARM_UP_OPS = 50;

    /**
     * Takes the first-use costs off the first kills: the codec, and Curator's and ZooKeeper's transaction
     * paths, client and (embedded) server side, compiled by the JIT before a pile-up needs them. It creates
     * and deletes {@code WARM_UP_ROUNDS x WARM_UP_OPS} ephemeral nodes under {@link JournalPaths#WARM_UP}
     * (outside the records: no reader or pruner sees them). Measured on the storm bench: the first pile-up
     * after start waited 150 ms for its intents with only a codec and a {@code check} warmed (the journal's
     * write bound is 200 ms), 20-50 ms after this. Stops between rounds once {@code go} says so (the journal
     * closes). Best effort; never throws.
     */
    void warmUp(java.util.function.BooleanSupplier go) {
        String token = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()); // no two nodes collide
        try {
            Instant now = clock.instant();
            KillRecord sample = new KillRecord("0000000000000-warmup-000000", now, "warmup", "warmup", 0, -1, "", "",
                    null, "Query", null, 0, -1, 0, "warmup", KillAction.LOG, KillOutcome.LOGGED, null, "select ?",
                    null, null, null, false);
            byte[] data = KillRecordCodec.encode(sample);
            client.checkExists().forPath(JournalPaths.RECORDS);
            client.createContainers(JournalPaths.WARM_UP);
            for (int round = 0; round < WARM_UP_ROUNDS && go.getAsBoolean(); round++) {
                List<CuratorOp> creates = new ArrayList<>(WARM_UP_OPS);
                List<CuratorOp> deletes = new ArrayList<>(WARM_UP_OPS);
                for (int i = 0; i < WARM_UP_OPS; i++) {
                    KillRecordCodec.decode(KillRecordCodec.encode(sample));
                    String path = JournalPaths.WARM_UP + "/" + token + "-" + i;
                    creates.add(client.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath(path, data));
                    deletes.add(client.transactionOp().delete().forPath(path));
                }
                client.transaction().forOperations(creates);
                client.transaction().forOperations(deletes);
            }
        } catch (Exception e) {
            log.debug("journal warm-up skipped: {}", e.toString());
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
        remember(bucket);
        Instant t = JournalPaths.idTime(recordPath.substring(recordPath.lastIndexOf('/') + 1), clock.instant());
        prepareBucket(t.plusSeconds(1));
    }

    /**
     * Makes the leaf bucket of {@code at}'s second (and its parents) in the background, unless known or on its
     * way: armed kills announce their second ahead, so their intents, written right before the KILLs, wait one
     * round trip instead of one per missing level (measured in a storm: 55 ms for the first intents when the
     * day, hour, minute and second were all new). Safe from any thread; never blocks, never throws.
     */
    void prepareBucket(Instant at) {
        String bucket = JournalPaths.bucketPath(at);
        if (knownBuckets.contains(bucket) || !preparing.add(bucket) || !connected()) {
            return;
        }
        try {
            client.create().creatingParentsIfNeeded().inBackground((c, event) -> {
                preparing.remove(bucket);
                int rc = event.getResultCode();
                if (rc == KeeperException.Code.OK.intValue() || rc == KeeperException.Code.NODEEXISTS.intValue()) {
                    remember(bucket);
                }
            }).forPath(bucket);
        } catch (Exception e) {
            preparing.remove(bucket);
            log.debug("journal: bucket {} not made ahead: {}", bucket, e.toString());
        }
    }

    private void remember(String bucket) {
        if (knownBuckets.size() > KNOWN_BUCKETS) {
            knownBuckets.clear(); // old seconds: forget them, the pruner may delete them once empty
        }
        knownBuckets.add(bucket);
    }

    private String path(KillRecord r) {
        return JournalPaths.recordPath(r.id(), r.time() != null ? r.time() : clock.instant());
    }
}
