package io.querysniper.core.port;

import io.querysniper.core.kill.KillRecord;

import java.util.List;

/**
 * Receives every kill decision: the structured log line, the journal, metrics and (later) alerts
 * plug in here. Called from every database's watcher thread and from its kill threads
 * ({@code sniper-<db>-kill-N}), so implementations must be thread-safe, quick, and must not throw;
 * slow work (network) belongs on their own executor with a bounded queue.
 */
public interface KillListener {

    /**
     * Write-ahead: called with outcome PENDING right before the KILL is sent, so that a crash in
     * between leaves a record saying "outcome unknown". Not called for LOG, WOULD_KILL or guard records.
     */
    default void beforeKill(KillRecord intent) {
    }

    /** The final record of a decision (same id as its intent when there was one). */
    void onRecord(KillRecord record);

    /**
     * Write-ahead for the victims of one look or one armed instant, which travel together: returns once
     * every intent is durable (or the listener's own bound has passed). A journal overrides this to make
     * them durable in one batch; the default writes them one by one.
     */
    default void beforeKills(List<KillRecord> intents) {
        for (KillRecord intent : intents) {
            beforeKill(intent);
        }
    }

    /** Final records of one batch; the default hands them over one by one. */
    default void onRecords(List<KillRecord> records) {
        for (KillRecord record : records) {
            onRecord(record);
        }
    }

    /**
     * Kills are armed for {@code at}: a listener that writes records may prepare for them now (a journal makes
     * the place its records of that second go to), so that the intents written right before the KILLs take
     * one round trip. Returns at once; a hint only, never a promise of records.
     */
    default void expectRecords(java.time.Instant at) {
    }

    KillListener NONE = record -> {
    };
}
