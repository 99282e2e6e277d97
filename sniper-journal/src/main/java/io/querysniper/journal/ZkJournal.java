package io.querysniper.journal;

import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillListener;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The kill journal of one node: every intent and final record goes to ZooKeeper under
 * {@code /journal/records/<day>/<hour>/<id>} (see {@link JournalPaths}), written by one thread
 * ({@code sniper-journal-writer}) from a bounded queue, so the kill path only enqueues. When ZooKeeper is
 * unreachable or a write fails, records go to a local fsynced spool and are replayed in order once the
 * connection is back (on reconnect, on a periodic retry, and at {@link #start()} after a restart or a
 * crash). While the spool holds anything, new records go behind it, so order is kept.
 *
 * <p>Records still in the in-memory queue when the process dies (kill -9) are lost: at most the few
 * milliseconds the writer is behind. {@link #close()} writes them, or spools them when ZooKeeper does
 * not take them within {@link #CLOSE_BOUND}.
 */
public final class ZkJournal implements KillListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZkJournal.class);

    static final int QUEUE_CAPACITY = 20_000;
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);
    static final Duration CLOSE_BOUND = Duration.ofSeconds(5);
    private static final long WARN_EVERY_MS = 10_000;

    private enum State { LATENT, STARTED, CLOSED }

    // Sentinels: compared by identity, never written.
    private static final KillRecord WAKE = sentinel("wake");
    private static final KillRecord STOP = sentinel("stop");

    private final CuratorFramework client;
    private final JournalOptions options;
    private final Clock clock;
    private final BlockingQueue<KillRecord> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Spool spool;
    private final ZkRecordWriter zk;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final ConnectionStateListener connectionListener;
    private final Thread writer;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private volatile long lastWarnMs;

    public ZkJournal(CuratorFramework client, JournalOptions options, Clock clock) {
        this.client = client;
        this.options = options;
        this.clock = clock;
        this.spool = new Spool(options.spoolDir(), options.nodeId());
        this.zk = new ZkRecordWriter(client, clock);
        this.connectionListener = (c, newState) -> {
            if (newState.isConnected()) {
                queue.offer(WAKE); // replay now rather than at the next retry; a full queue wakes it anyway
            }
        };
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
        log.info("journal started: node={}, spool={}, writeTimeout={}ms, spooled records waiting={}",
                options.nodeId(), spool.file(), options.writeTimeout().toMillis(), spool.hasData());
    }

    @Override
    public void beforeKill(KillRecord intent) {
        submit(intent);
    }

    @Override
    public void onRecord(KillRecord record) {
        submit(record);
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

    /** True while records wait in the local spool. */
    public boolean hasSpooled() {
        return spool.hasData();
    }

    /** Never throws and never waits longer than writeTimeout (a full queue); normally it does not wait. */
    private void submit(KillRecord r) {
        try {
            if (state.get() == State.CLOSED) {
                spoolNow(List.of(r), "journal closed");
                return;
            }
            if (queue.offer(r) || queue.offer(r, options.writeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            spoolNow(List.of(r), "journal queue full");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            spoolNow(List.of(r), "interrupted");
        } catch (RuntimeException e) {
            lost.incrementAndGet();
            log.error("journal record {} lost: {}", r.id(), e.toString());
        }
    }

    private void spoolNow(List<KillRecord> records, String why) {
        try {
            spool.append(records);
            spooled.addAndGet(records.size());
            warnRarely("journal: {} record(s) spooled locally ({})", records.size(), why);
        } catch (SniperException e) {
            lost.addAndGet(records.size());
            log.error("journal: {} record(s) lost, spool failed: {}", records.size(), e.getMessage());
        }
    }

    private void runWriter() {
        MDC.put("qs.node", options.nodeId());
        List<KillRecord> batch = new ArrayList<>(ZkRecordWriter.MAX_OPS);
        boolean stop = false;
        while (!stop) {
            batch.clear();
            try {
                KillRecord head = queue.poll(RETRY_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                if (head != null) {
                    batch.add(head);
                    queue.drainTo(batch, ZkRecordWriter.MAX_OPS * 10 - 1);
                }
            } catch (InterruptedException e) {
                stop = true; // close() gave up waiting: leave what is queued to close()
                Thread.currentThread().interrupt();
            }
            stop |= batch.remove(STOP);
            batch.removeIf(r -> r == WAKE);
            try {
                flush(batch);
                if (stop && !Thread.currentThread().isInterrupted()) {
                    List<KillRecord> rest = new ArrayList<>();
                    queue.drainTo(rest);
                    rest.removeIf(r -> r == WAKE || r == STOP);
                    flush(rest);
                }
            } catch (RuntimeException e) {
                log.error("journal writer: unexpected failure, {} record(s) spooled", batch.size(), e);
                spoolNow(List.copyOf(batch), "writer failure");
            }
        }
    }

    private void flush(List<KillRecord> batch) {
        if (spool.hasData() && zk.connected()) {
            replay();
        }
        if (batch.isEmpty()) {
            return;
        }
        if (spool.hasData() || !zk.connected()) {
            spoolNow(List.copyOf(batch), spool.hasData() ? "spool not yet replayed" : "ZooKeeper not connected");
            return;
        }
        try {
            zk.write(batch);
            written.addAndGet(batch.size());
        } catch (SniperException e) {
            warnRarely("journal: write to ZooKeeper failed, spooling: {}", e.getMessage(), "");
            spoolNow(List.copyOf(batch), "write failed");
        }
    }

    /** Writes the spool to ZooKeeper, oldest first; stops at the first failure (the retry replays it all again). */
    private void replay() {
        while (spool.hasData() && zk.connected()) {
            List<KillRecord> records = spool.takeForReplay();
            try {
                zk.write(records);
            } catch (SniperException e) {
                warnRarely("journal: replay of {} spooled record(s) failed, will retry: {}", records.size(), e.getMessage());
                return;
            }
            spool.replayDone();
            replayed.addAndGet(records.size());
            log.info("journal: replayed {} spooled record(s) to ZooKeeper", records.size());
        }
    }

    private void warnRarely(String format, Object a, Object b) {
        long now = System.currentTimeMillis();
        if (now - lastWarnMs >= WARN_EVERY_MS) {
            lastWarnMs = now;
            log.warn(format, a, b);
        }
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
            try {
                if (!queue.offer(STOP, CLOSE_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                    writer.interrupt();
                }
                writer.join(CLOSE_BOUND.toMillis());
                if (writer.isAlive()) {
                    log.warn("journal writer did not drain within {} ms; spooling what is left", CLOSE_BOUND.toMillis());
                    writer.interrupt();
                    writer.join(1000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<KillRecord> rest = new ArrayList<>();
        queue.drainTo(rest);
        rest.removeIf(r -> r == WAKE || r == STOP);
        if (!rest.isEmpty()) {
            spoolNow(rest, "journal closing");
        }
        spool.close();
        log.info("journal closed: written={}, spooled={}, replayed={}, lost={}",
                written.get(), spooled.get(), replayed.get(), lost.get());
    }

    private static KillRecord sentinel(String name) {
        return new KillRecord("sentinel-" + name, null, null, null, -1, -1, null, null, null, null, null,
                -1, -1, -1, null, null, null, null, null, null, null, null, false);
    }
}
