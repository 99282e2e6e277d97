package io.querysniper.core.port;

import io.querysniper.core.kill.KillRecord;

/**
 * Receives every kill decision: the structured log line, the journal, metrics and (later) alerts
 * plug in here. Called on the watcher thread: implementations must be quick and must not throw;
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

    KillListener NONE = record -> {
    };
}
