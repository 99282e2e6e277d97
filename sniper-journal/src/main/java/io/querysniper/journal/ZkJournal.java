package io.querysniper.journal;

import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillListener;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The kill journal of one node: every intent and final record goes to ZooKeeper under
 * {@code /journal/records/<day>/<hour>/<minute>/<second>/<id>} (see {@link JournalPaths}), written by one
 * thread ({@code sniper-journal-writer}) from a bounded queue as pipelined multi-op transactions.
 *
 * <p>Write-ahead: {@link #beforeKill} returns once its intent is durable, acknowledged by ZooKeeper or
 * appended and fsynced to the local spool, but never later than {@code writeTimeout}. The writer spools
 * whatever ZooKeeper has not acknowledged by half that bound (so the waiting kill learns it is durable in
 * time), and final records ({@link #onRecord}, queued, not awaited) after {@link #FINAL_BOUND}. If the bound
 * passes anyway the kill goes ahead, the record is still written or spooled later, and
 * {@link #lateIntentCount()} counts it.
 *
 * <p>Order: one writer thread, one ZooKeeper session (which applies requests in order), and while the
 * spool holds anything new records go behind it. Every write is idempotent (an intent is create-only, so
 * neither a replay nor a retried transaction can overwrite the final record), which makes spooling a record
 * that ZooKeeper later takes after all harmless. Spooled records are replayed in order on reconnect, on a
 * periodic retry and at {@link #start()} (after a restart or a crash).
 */
public final class ZkJournal implements KillListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZkJournal.class);

    static final int QUEUE_CAPACITY = 20_000;
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);
    /**
     * {@link #close()} lets the writer drain for at most this long, all steps together, then spools what is
     * left (one append and fsync). The daemon's stop watchdog counts on it.
     */
    public static final Duration CLOSE_BOUND = Duration.ofSeconds(3);
    /** A final record not acknowledged by ZooKeeper within this bound of its batch is spooled. */
    public static final Duration FINAL_BOUND = Duration.ofSeconds(1);
    /** A replay transaction that has not answered by then counts as failed; the replay is retried later. */
    private static final long REPLAY_TIMEOUT_MS = 30_000;
    private static final int REPLAY_SLICE = ZkRecordWriter.MAX_OPS * 10;
    private static final long WARN_EVERY_MS = 10_000;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private enum State { LATENT, STARTED, CLOSED }

    /** A queued record; {@code durable} is completed once it is in ZooKeeper or the spool (null: nobody waits). */
    private record Entry(KillRecord record, CompletableFuture<Void> durable, long spoolAtNanos) {
        void done() {
            if (durable != null) {
                durable.complete(null);
            }
        }
    }

    // Sentinels: compared by identity, never written.
    private static final Entry WAKE = new Entry(null, null, Long.MAX_VALUE);
    private static final Entry STOP = new Entry(null, null, Long.MAX_VALUE);

    private final CuratorFramework client;
    private final JournalOptions options;
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Spool spool;
    private final ZkRecordWriter zk;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final ConnectionStateListener connectionListener;
    private final Thread writer;
    /** Warms the write path at start ({@link ZkRecordWriter#warmUp}); ended and awaited by {@link #close()}. */
    private final Thread warmUp;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong lateIntents = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong quarantined = new AtomicLong();
    private final Clock clock;
    /** Monotonic nanoseconds for every bound and deadline (a wall clock may step). */
    private final LongSupplier ticker;
    private volatile long lastDropLogMs;
    private volatile long lastWarnMs;
    /** {@link #slowSpoolForTests}: 0, or how long each spool append takes more. */
    private volatile long testSpoolDelayNanos;
    // Writer thread only.
    private boolean stopRequested;
    private boolean wakeRequested = true;
    private long nextReplayNanos;
    /** A batch taken from the queue while a replay runs; null once the replay had to spool it. */
    private List<Entry> held;
    private long heldSpoolAt;

    public ZkJournal(CuratorFramework client, JournalOptions options, Clock clock) {
        this(client, options, clock, System::nanoTime);
    }

    /**
     * @param clock  wall time: record paths, rate-limited warnings
     * @param ticker monotonic nanoseconds: every write bound, spool deadline and retry interval
     */
    public ZkJournal(CuratorFramework client, JournalOptions options, Clock clock, LongSupplier ticker) {
        this(client, options, clock, ticker, Spool.DirSync.FSYNC);
    }

    ZkJournal(CuratorFramework client, JournalOptions options, Clock clock, LongSupplier ticker, Spool.DirSync dirSync) {
        this.client = client;
        this.options = options;
        this.clock = clock;
        this.ticker = ticker;
        this.spool = new Spool(options.spoolDir(), options.nodeId(), options.spoolMaxSize(), dirSync);
        this.zk = new ZkRecordWriter(client, clock);
        this.connectionListener = (c, newState) -> {
            if (newState.isConnected()) {
                queue.offer(WAKE); // replay now rather than at the next retry; a full queue wakes it anyway
            }
        };
        this.warmUp = new Thread(() -> zk.warmUp(() -> state.get() == State.STARTED), "sniper-journal-warmup");
        this.warmUp.setDaemon(true);
        this.writer = new Thread(this::runWriter, "sniper-journal-writer");
        this.writer.setDaemon(true);
        this.writer.setUncaughtExceptionHandler((t, e) -> log.error("journal writer died", e));
    }

    /** Starts the writer; records spooled by an earlier run are replayed first, as soon as ZooKeeper is reachable. */
    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new SniperException("journal already started or closed");
        }
        client.getConnectionStateListenable().addListener(connectionListener);
        writer.start();
        warmUp.start();
        log.info("journal started: node={}, spool={}, writeTimeout={}ms, spooled records waiting={}",
                options.nodeId(), spool.file(), options.writeTimeout().toMillis(), spool.hasData());
        String heap = options.zkHeapWarning();
        if (heap != null) {
            log.warn(heap);
        }
    }

    /**
     * A test hook for the daemon's process tests (never for production): from now on every record goes to
     * the spool (ZooKeeper is treated as away, nothing is replayed) and each spool append holds the spool
     * {@code delay} longer, like a disk slow to fsync, whatever the thread's interrupts. The writer then
     * always has records queued, and a stop lasts at least {@code delay} after the last record: what a
     * stop watchdog shorter than that halts with records not yet on disk.
     */
    public void slowSpoolForTests(Duration delay) {
        testSpoolDelayNanos = delay.toNanos();
    }

    /**
     * Write-ahead: returns once the intent is in ZooKeeper or fsynced in the local spool, or after
     * {@code writeTimeout} at the latest (then the kill goes ahead and the intent follows; counted in
     * {@link #lateIntentCount()}). Never throws.
     */
    @Override
    public void beforeKill(KillRecord intent) {
        long timeoutNanos = options.writeTimeout().toNanos();
        if (timeoutNanos == 0) {
            submit(intent, null, ticker.getAsLong() + FINAL_BOUND.toNanos(), 0);
            return;
        }
        long start = ticker.getAsLong();
        CompletableFuture<Void> durable = new CompletableFuture<>();
        if (!submit(intent, durable, start + timeoutNanos / 2, timeoutNanos)) {
            return; // spooled by this thread, durable
        }
        try {
            durable.get(Math.max(0, start + timeoutNanos - ticker.getAsLong()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            lateIntents.incrementAndGet();
            warnRarely("journal: intent {} not durable within {} ms; the kill goes ahead, the intent follows",
                    intent.id(), options.writeTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lateIntents.incrementAndGet();
        } catch (ExecutionException e) {
            lateIntents.incrementAndGet(); // not completed exceptionally today; counted if it ever is
        }
    }

    /** Makes the bucket of {@code at}'s second ahead, in the background (see {@link ZkRecordWriter#prepareBucket}). */
    @Override
    public void expectRecords(Instant at) {
        if (state.get() == State.STARTED && options.writeTimeout().toNanos() > 0) {
            zk.prepareBucket(at);
        }
    }

    /**
     * Write-ahead for a batch of victims: every intent is queued at once, so the writer takes them together
     * (pipelined multi-op transactions, or one spool append and fsync when ZooKeeper is away), and this
     * returns once all are durable, or after {@code writeTimeout} at the latest, counted from the call.
     */
    @Override
    public void beforeKills(List<KillRecord> intents) {
        if (intents.size() == 1) {
            beforeKill(intents.get(0));
            return;
        }
        long timeoutNanos = options.writeTimeout().toNanos();
        long start = ticker.getAsLong();
        List<CompletableFuture<Void>> waits = new ArrayList<>(intents.size());
        for (KillRecord intent : intents) {
            if (timeoutNanos == 0) {
                submit(intent, null, start + FINAL_BOUND.toNanos(), 0);
                continue;
            }
            CompletableFuture<Void> durable = new CompletableFuture<>();
            long offerNanos = Math.max(0, start + timeoutNanos - ticker.getAsLong());
            if (submit(intent, durable, start + timeoutNanos / 2, offerNanos)) {
                waits.add(durable);
            }
        }
        if (waits.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, start + timeoutNanos - ticker.getAsLong()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            long late = waits.stream().filter(w -> !w.isDone()).count();
            lateIntents.addAndGet(late);
            warnRarely("journal: {} intent(s) of a batch not durable within {} ms; the kills go ahead, the intents follow",
                    late, options.writeTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lateIntents.addAndGet(waits.stream().filter(w -> !w.isDone()).count());
        } catch (ExecutionException e) {
            lateIntents.incrementAndGet(); // not completed exceptionally today; counted if it ever is
        }
    }

    /** Final records of a batch, queued together; as {@link #onRecord}. */
    @Override
    public void onRecords(List<KillRecord> records) {
        for (KillRecord r : records) {
            onRecord(r);
        }
    }

    /** Queues the final record (or a record without intent); the writer makes it durable within about {@link #FINAL_BOUND}. */
    @Override
    public void onRecord(KillRecord record) {
        submit(record, null, ticker.getAsLong() + FINAL_BOUND.toNanos(), options.writeTimeout().toNanos());
    }

    /** Records waiting for the writer. */
    public int queueDepth() {
        return queue.size();
    }

    /** Records written to ZooKeeper directly. */
    public long writtenCount() {
        return written.get();
    }

    /** Records that went to the local spool. */
    public long spooledCount() {
        return spooled.get();
    }

    /** Spooled records later written to ZooKeeper. */
    public long replayedCount() {
        return replayed.get();
    }

    /** Records neither written nor spooled (the spool itself failed). */
    public long lostCount() {
        return lost.get();
    }

    /** Kills that went ahead before their intent was durable (the bound passed); the intent was written later. */
    public long lateIntentCount() {
        return lateIntents.get();
    }

    /** Records the spool had no room for ({@code journal.spool-max-size}): lost, and logged as such. */
    public long droppedCount() {
        return dropped.get();
    }

    /** Records ZooKeeper refused for good (no right to write, bad ACL): kept in the quarantine file. */
    public long quarantinedCount() {
        return quarantined.get();
    }

    /** True while records wait in the local spool. */
    public boolean hasSpooled() {
        return spool.hasData();
    }

    /**
     * Queues the record; false when the queue stayed full for {@code offerNanos} and this thread spooled the
     * record itself (durable on return). Never throws.
     */
    private boolean submit(KillRecord r, CompletableFuture<Void> durable, long spoolAtNanos, long offerNanos) {
        Entry e = new Entry(r, durable, spoolAtNanos);
        try {
            if (state.get() != State.CLOSED
                    && (queue.offer(e) || queue.offer(e, offerNanos, TimeUnit.NANOSECONDS))) {
                return true;
            }
            spoolNow(List.of(e), state.get() == State.CLOSED ? "journal closed" : "journal queue full");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            spoolNow(List.of(e), "interrupted");
        } catch (RuntimeException ex) {
            lost.incrementAndGet();
            log.error("journal record {} lost: {}", r.id(), ex.toString());
        }
        return false;
    }

    private void spoolNow(List<Entry> entries, String why) {
        if (entries.isEmpty()) {
            return;
        }
        try {
            int over = append(entries);
            spooled.addAndGet(entries.size() - over);
            if (over > 0) {
                dropped(entries.subList(entries.size() - over, entries.size()));
            }
            warnRarely("journal: {} record(s) spooled locally ({})", entries.size() - over, why);
        } catch (SniperException e) {
            lost.addAndGet(entries.size());
            log.error("journal: {} record(s) lost, spool failed: {}", entries.size(), e.getMessage());
        } finally {
            entries.forEach(Entry::done); // nothing better will happen to them: release the kills
        }
    }

    /** Appends to the spool; with {@link #slowSpoolForTests}, holding it that much longer first. */
    private int append(List<Entry> entries) {
        List<KillRecord> records = entries.stream().map(Entry::record).toList();
        long delay = testSpoolDelayNanos;
        if (delay == 0) {
            return spool.append(records);
        }
        synchronized (spool) { // Spool's own monitor: a close waits for the slow append, as for a slow fsync
            boolean interrupted = false;
            long end = ticker.getAsLong() + delay;
            for (long left; (left = end - ticker.getAsLong()) > 0; ) {
                try {
                    TimeUnit.NANOSECONDS.sleep(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return spool.append(records);
        }
    }

    private void runWriter() {
        MDC.put("qs.node", options.nodeId());
        List<Entry> batch = new ArrayList<>(ZkRecordWriter.MAX_OPS * 10);
        while (!stopRequested) {
            batch.clear();
            try {
                Entry head = queue.poll(RETRY_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                if (head != null) {
                    batch.add(head);
                    queue.drainTo(batch, ZkRecordWriter.MAX_OPS * 10 - 1);
                }
            } catch (InterruptedException e) {
                stopRequested = true; // close() gave up waiting: leave what is queued to close()
                Thread.currentThread().interrupt();
            }
            List<Entry> records = withoutSentinels(batch);
            try {
                flush(records);
                if (stopRequested && !Thread.currentThread().isInterrupted()) {
                    List<Entry> rest = new ArrayList<>();
                    queue.drainTo(rest);
                    flush(withoutSentinels(rest));
                }
            } catch (RuntimeException e) {
                log.error("journal writer: unexpected failure, {} record(s) spooled", records.size(), e);
                spoolNow(records.stream().filter(x -> x.durable() == null || !x.durable().isDone()).toList(),
                        "writer failure");
            }
        }
    }

    /** Drops the sentinels, noting what they asked for. */
    private List<Entry> withoutSentinels(List<Entry> entries) {
        List<Entry> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            if (e == STOP) {
                stopRequested = true;
            } else if (e == WAKE) {
                wakeRequested = true;
            } else {
                out.add(e);
            }
        }
        return out;
    }

    private void flush(List<Entry> batch) {
        if (testSpoolDelayNanos != 0) {
            spoolNow(batch, "test hook: slow spool only");
            return;
        }
        if (spool.hasData() && zk.connected() && (wakeRequested || ticker.getAsLong() - nextReplayNanos >= 0)) {
            // Replay first, so that the batch can go straight to ZooKeeper afterwards; the replay spools the
            // batch if its waiting kills would otherwise miss their bound.
            wakeRequested = false;
            held = batch;
            heldSpoolAt = ticker.getAsLong() + FINAL_BOUND.toNanos();
            for (Entry e : batch) {
                heldSpoolAt = Math.min(heldSpoolAt, e.spoolAtNanos());
            }
            replay();
            batch = held == null ? List.of() : held;
            held = null;
        }
        if (!batch.isEmpty()) {
            if (spool.hasData() || !zk.connected()) {
                spoolNow(batch, spool.hasData() ? "spool not yet replayed" : "ZooKeeper not connected");
            } else {
                write(batch);
            }
        }
    }

    /**
     * Writes a batch to ZooKeeper, releasing each waiting kill as soon as its transaction is acknowledged.
     * When ZooKeeper is slow, what it has not acknowledged is spooled before any waiting kill's bound
     * passes (or {@link #FINAL_BOUND} for final records), and the in-flight transactions are left to finish
     * on their own: their writes are idempotent.
     */
    private void write(List<Entry> batch) {
        long finalDeadline = ticker.getAsLong() + FINAL_BOUND.toNanos();
        List<ZkRecordWriter.Chunk> chunks;
        try {
            chunks = zk.send(batch.stream().map(Entry::record).toList());
        } catch (SniperException e) {
            warnRarely("journal: write to ZooKeeper failed, spooling: {}", e.getMessage(), "");
            spoolNow(batch, "write failed");
            return;
        }
        long[] spoolAtFrom = new long[batch.size() + 1]; // earliest waiter deadline among batch[i..]
        spoolAtFrom[batch.size()] = finalDeadline;
        for (int i = batch.size() - 1; i >= 0; i--) {
            spoolAtFrom[i] = Math.min(spoolAtFrom[i + 1], batch.get(i).spoolAtNanos());
        }
        for (int c = 0; c < chunks.size(); c++) {
            ZkRecordWriter.Chunk chunk = chunks.get(c);
            KeeperException.Code rc = await(chunk.result(), spoolAtFrom[chunk.from()], false);
            List<Entry> entries = batch.subList(chunk.from(), chunk.to());
            if (rc == null) {
                spoolNow(batch.subList(chunk.from(), batch.size()), "ZooKeeper slower than the write bound");
                return;
            }
            try {
                List<ZkRecordWriter.Refused> refused = zk.settle(chunk, rc);
                quarantine(refused);
                written.addAndGet(-refused.size());
            } catch (SniperException e) {
                warnRarely("journal: write to ZooKeeper failed, spooling: {}", e.getMessage(), "");
                spoolNow(batch.subList(chunk.from(), batch.size()), "write failed");
                return;
            }
            written.addAndGet(entries.size());
            entries.forEach(Entry::done);
        }
    }

    /**
     * Waits for a transaction's answer until {@code deadlineNanos}, or until a kill waiting at the head of the
     * queue needs the writer; null when it gave up. With {@code serviceQueue} (a replay, the spool is in use)
     * the held batch and queued records are spooled when their bound comes near, so kills never wait
     * behind a long replay.
     */
    private KeeperException.Code await(CompletableFuture<KeeperException.Code> result, long deadlineNanos,
                                       boolean serviceQueue) {
        while (true) {
            long now = ticker.getAsLong();
            long deadline = deadlineNanos;
            Entry head = queue.peek();
            if (serviceQueue) {
                // During a replay the spool is in use: what waits is spooled once its bound comes near, and
                // not before, so a short replay ends with an empty spool and the writer goes direct again.
                boolean due = (held != null && now - heldSpoolAt >= 0)
                        || (head != null && head.record() != null && now - head.spoolAtNanos() >= 0);
                if (due) {
                    if (held != null) {
                        spoolNow(held, "spool not yet replayed"); // before anything newer, to keep the order
                        held = null;
                    }
                    List<Entry> arrived = new ArrayList<>();
                    queue.drainTo(arrived);
                    spoolNow(withoutSentinels(arrived), "spool not yet replayed");
                }
            } else if (head != null) {
                deadline = Math.min(deadline, head.spoolAtNanos());
            }
            if (now - deadline >= 0) {
                return result.getNow(null);
            }
            try {
                return result.get(Math.min(TICK_NANOS, deadline - now), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // look at the queue again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return result.getNow(null);
            } catch (ExecutionException e) {
                return KeeperException.Code.SYSTEMERROR; // callbacks never complete it exceptionally
            }
        }
    }

    /**
     * Writes the spool to ZooKeeper, oldest first, streamed in slices (memory does not grow with the spool);
     * stops at the first failure (the retry replays the interrupted file again: writes are idempotent).
     * A record ZooKeeper refuses for good is quarantined and the replay goes on. Records queued meanwhile
     * are spooled behind it.
     */
    private void replay() {
        while (spool.hasData() && zk.connected() && !Thread.currentThread().isInterrupted()) {
            long count = 0;
            try (Spool.Replay records = spool.openReplay()) {
                for (List<KillRecord> slice = records.next(REPLAY_SLICE); !slice.isEmpty();
                     slice = records.next(REPLAY_SLICE)) {
                    for (ZkRecordWriter.Chunk chunk : zk.send(slice)) {
                        KeeperException.Code rc = await(chunk.result(),
                                ticker.getAsLong() + TimeUnit.MILLISECONDS.toNanos(REPLAY_TIMEOUT_MS), true);
                        quarantine(zk.settle(chunk, rc == null ? KeeperException.Code.OPERATIONTIMEOUT : rc));
                    }
                    count += slice.size();
                }
            } catch (SniperException e) {
                nextReplayNanos = ticker.getAsLong() + RETRY_INTERVAL.toNanos();
                warnRarely("journal: replay of spooled records failed after {}, will retry: {}", count, e.getMessage());
                return;
            }
            spool.replayDone();
            replayed.addAndGet(count);
            log.info("journal: replayed {} spooled record(s) to ZooKeeper", count);
        }
    }

    /** Moves records ZooKeeper refused for good out of the way, so that the records behind them go on. */
    private void quarantine(List<ZkRecordWriter.Refused> refused) {
        if (refused.isEmpty()) {
            return;
        }
        spool.quarantine(refused.stream().map(ZkRecordWriter.Refused::record).toList());
        long total = quarantined.addAndGet(refused.size());
        log.error("journal: ZooKeeper refused {} record(s) for good ({}, first {}); moved to {} ({} quarantined so far)",
                refused.size(), refused.get(0).code(), refused.get(0).record().id(), spool.quarantineFile(), total);
    }

    /** The spool is full ({@code journal.spool-max-size}): these records are gone. Loud, but not a flood. */
    private void dropped(List<Entry> entries) {
        long total = dropped.addAndGet(entries.size());
        long now = clock.millis();
        if (now - lastDropLogMs >= WARN_EVERY_MS) {
            lastDropLogMs = now;
            log.error("journal: spool full ({} of {} bytes, journal.spool-max-size): {} record(s) DROPPED now, "
                            + "first {}; {} dropped since start",
                    spool.bytes(), options.spoolMaxSize(), entries.size(), entries.get(0).record().id(), total);
        }
    }

    private void warnRarely(String format, Object a, Object b) {
        long now = clock.millis();
        if (now - lastWarnMs >= WARN_EVERY_MS) {
            lastWarnMs = now;
            log.warn(format, a, b);
        }
    }

    /** Milliseconds to the deadline, at least 1 (a join of 0 would wait forever). */
    private long leftMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - ticker.getAsLong()));
    }

    /**
     * Stops taking records into the queue, lets the writer write what is queued (or spool it) within
     * {@link #CLOSE_BOUND}, then spools whatever is left. Safe to call twice.
     */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        if (previous == State.STARTED) {
            client.getConnectionStateListenable().removeListener(connectionListener);
            long deadline = ticker.getAsLong() + CLOSE_BOUND.toNanos();
            try {
                warmUp.join(leftMillis(deadline)); // it stops at its next round: nothing of it outlives the journal
                if (!queue.offer(STOP, leftMillis(deadline), TimeUnit.MILLISECONDS)) {
                    writer.interrupt();
                }
                writer.join(leftMillis(deadline));
                if (writer.isAlive()) {
                    log.warn("journal writer did not drain within {} ms; spooling what is left", CLOSE_BOUND.toMillis());
                    writer.interrupt();
                    writer.join(200);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Entry> rest = new ArrayList<>();
        queue.drainTo(rest);
        spoolNow(rest.stream().filter(e -> e != WAKE && e != STOP).toList(), "journal closing");
        spool.close();
        log.info("journal closed: written={}, spooled={}, replayed={}, lost={}, late intents={}, dropped={}, quarantined={}",
                written.get(), spooled.get(), replayed.get(), lost.get(), lateIntents.get(), dropped.get(),
                quarantined.get());
    }
}
