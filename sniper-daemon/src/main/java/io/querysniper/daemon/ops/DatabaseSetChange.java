package io.querysniper.daemon.ops;

import java.util.Set;
import java.util.function.Consumer;

/**
 * How a reload tells the cluster that databases were added or removed: join the latches of the new ones,
 * leave those of the removed ones (standbys queued on them take over at once). Owned by the reload, so
 * the cluster node's own API can change without the reload changing.
 */
public interface DatabaseSetChange {

    /**
     * Why this change cannot be made live, or null when {@link #apply} can make it. Asked before anything
     * of the reload is applied: a refusal leaves the running config whole.
     */
    String refusal(Set<String> added, Set<String> removed);

    /** Makes {@code databases} the set this node queues for. Called after the engine watches the added ones. */
    void apply(Set<String> databases);

    /**
     * Databases join and leave live: {@code join} gets the new set (ClusterNode.updateDatabases: latches of
     * added databases joined, of removed ones left, so a standby takes those over at once).
     */
    static DatabaseSetChange live(Consumer<Set<String>> join) {
        return new DatabaseSetChange() {
            @Override
            public String refusal(Set<String> added, Set<String> removed) {
                return null;
            }

            @Override
            public void apply(Set<String> databases) {
                join.accept(databases);
            }
        };
    }

    /** Refuses to add or remove a database ("restart needed"): for a node whose latches are fixed at start. */
    DatabaseSetChange RESTART_NEEDED = new DatabaseSetChange() {
        @Override
        public String refusal(Set<String> added, Set<String> removed) {
            if (added.isEmpty() && removed.isEmpty()) {
                return null;
            }
            StringBuilder b = new StringBuilder("query-sniper.databases: ");
            if (!added.isEmpty()) {
                b.append("added ").append(String.join(", ", added));
            }
            if (!removed.isEmpty()) {
                b.append(added.isEmpty() ? "" : ", ").append("removed ").append(String.join(", ", removed));
            }
            return b.append(": a restart is needed (this node's latches are fixed at start)").toString();
        }

        @Override
        public void apply(Set<String> databases) {
            // nothing can change: refusal() said so
        }
    };
}
