package io.querysniper.daemon.ops;

import java.util.Set;

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
     * What the cluster node offers today: a fixed set of latches, joined at start. Adding or removing a
     * database is refused with "restart needed" until the node can join and leave latches live
     * (ClusterNode.updateDatabases, issue 9: wire it here).
     */
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
            return b.append(": a restart is needed (this build joins the cluster latches at start only)").toString();
        }

        @Override
        public void apply(Set<String> databases) {
            // nothing can change: refusal() said so
        }
    };
}
