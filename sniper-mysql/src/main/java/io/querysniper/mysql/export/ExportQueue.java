package io.querysniper.mysql.export;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.querysniper.core.kill.KillRecord;

/**
 * A bounded queue of records keyed by id, in arrival order. A record whose id is already queued replaces
 * it in place (a final record replaces its intent) and needs no room, so a decision whose intent got in
 * is never lost to a full queue. When the queue is full a new id is refused, never an older one dropped:
 * the caller counts and reports it. {@link #offer} only ever holds a lock for a map operation, never I/O.
 */
final class ExportQueue {
    private final int capacity;
    private final LinkedHashMap<String, KillRecord> records = new LinkedHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Separate from {@link #changed}: new records must not cut a back-off short, only {@link #wake()} may. */
    private final Condition woken = lock.newCondition();
    private boolean wakeRequested;

    ExportQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Adds or replaces by id; false when the queue is full and the id is not already in it. */
    boolean offer(KillRecord r) {
        lock.lock();
        try {
            if (records.containsKey(r.id())) {
                records.put(r.id(), r);
            } else if (records.size() >= capacity) {
                return false;
            } else {
                records.put(r.id(), r);
            }
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes and returns up to {@code max} records, oldest first; waits up to {@code waitNanos} for one
     * (not at all once {@link #wake()} was called). An empty list means nothing came.
     */
    List<KillRecord> take(int max, long waitNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = waitNanos;
            while (records.isEmpty() && !wakeRequested && left > 0) {
                left = changed.awaitNanos(left);
            }
            List<KillRecord> batch = new ArrayList<>(Math.min(max, records.size()));
            Iterator<KillRecord> it = records.values().iterator();
            while (it.hasNext() && batch.size() < max) {
                batch.add(it.next());
                it.remove();
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code nanos} or until {@link #wake()}; used for back-off so close() can cut it short. */
    void pause(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (!wakeRequested && left > 0) {
                left = woken.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a waiting {@link #take} and ends every {@link #pause} from now on (the exporter is closing). */
    void wake() {
        lock.lock();
        try {
            wakeRequested = true;
            changed.signalAll();
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return records.size();
        } finally {
            lock.unlock();
        }
    }

    /** Empties the queue; returns how many records it held. */
    int clear() {
        lock.lock();
        try {
            int n = records.size();
            records.clear();
            return n;
        } finally {
            lock.unlock();
        }
    }
}
