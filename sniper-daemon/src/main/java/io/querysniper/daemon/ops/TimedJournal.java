package io.querysniper.daemon.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillListener;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The journal as the kill path sees it, timed: {@code query_sniper_journal_write_duration_seconds} is how
 * long a write-ahead (one intent, or one batch of them) kept the KILLs waiting, durable in ZooKeeper or in
 * the spool. Final records are queued, not awaited, and not timed.
 */
public final class TimedJournal implements KillListener {
    static final String WRITE_DURATION = "query.sniper.journal.write.duration";

    private final KillListener journal;
    private final Timer writes;
    private final LongSupplier nanos;

    public TimedJournal(KillListener journal, MeterRegistry registry, LongSupplier nanos) {
        this.journal = journal;
        this.nanos = nanos;
        this.writes = Timer.builder(WRITE_DURATION)
                .description("how long a kill waited for its write-ahead journal record (a batch counts once)")
                .serviceLevelObjectives(java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(5),
                        java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(25),
                        java.time.Duration.ofMillis(50), java.time.Duration.ofMillis(100),
                        java.time.Duration.ofMillis(200), java.time.Duration.ofMillis(500))
                .register(registry);
    }

    @Override
    public void beforeKill(KillRecord intent) {
        long t0 = nanos.getAsLong();
        try {
            journal.beforeKill(intent);
        } finally {
            writes.record(nanos.getAsLong() - t0, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void beforeKills(List<KillRecord> intents) {
        long t0 = nanos.getAsLong();
        try {
            journal.beforeKills(intents);
        } finally {
            writes.record(nanos.getAsLong() - t0, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void onRecord(KillRecord record) {
        journal.onRecord(record);
    }

    @Override
    public void onRecords(List<KillRecord> records) {
        journal.onRecords(records);
    }

    @Override
    public void expectRecords(Instant at) {
        journal.expectRecords(at);
    }
}
