package io.querysniper.http;

import java.util.List;

/**
 * {@code GET /status}: this node and every configured database. Times are ISO-8601 UTC strings, or null.
 *
 * @param coordination ZooKeeper connection state as this node sees it (CONNECTED, SUSPENDED, LOST, ...)
 * @param members      ids of the live cluster members, this node included
 * @param lastReload   when the config was last (re)loaded successfully
 */
public record StatusReport(String node, String version, String configHash, String coordination,
                           List<String> members, String lastReload, List<DatabaseStatus> databases) {
    public StatusReport {
        members = List.copyOf(members);
        databases = List.copyOf(databases);
    }

    /**
     * One configured database.
     *
     * @param owner              the node that holds its latch, or null when none (or unknown)
     * @param ownedHere          this node holds its latch
     * @param reachable          UP, SLOW or DOWN, as this node's last attempt found it
     * @param lastLook           this node's last successful look
     * @param lastKill           this node's last KILLED record on it
     * @param guardTripped       the kill-rate guard has paused killing
     * @param pollLatencySeconds how long this node's last look took, or null before the first
     */
    public record DatabaseStatus(String name, String owner, boolean ownedHere, String reachable, String lastLook,
                                 String lastKill, boolean guardTripped, Double pollLatencySeconds) {
    }
}
