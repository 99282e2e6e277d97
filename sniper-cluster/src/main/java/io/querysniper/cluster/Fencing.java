package io.querysniper.cluster;

/**
 * The fencing decision, checked immediately before every KILL: may this node kill on a database
 * right now? A pure function of what the node knows at that instant, so every state has a row in
 * a table test ({@code FencingTest}); {@link ClusterNode#mayKill(String)} gathers the facts.
 * <p>
 * Why these rules (see also {@link ClusterNode}'s class comment):
 * <ul>
 * <li>The lease must be held: ZooKeeper answered a heartbeat sent less than T/4 ago, so the server
 * cannot expire the session (and let another node take the latch) for at least 3T/4.</li>
 * <li>The latch must be ours: we lead it, the seat belongs to the current session, and the lease's
 * watch did not see its znode deleted (Curator's latch watches only its predecessor, so a leader
 * whose znode was deleted would never notice by itself).</li>
 * <li>While the connection is in trouble (SUSPENDED, or connected without an answered heartbeat),
 * at most for the first quarter of T after the trouble began; never once the session is lost.</li>
 * <li>With {@link CoordinationLossPolicy#KEEP_OWNED}, the databases held when the trouble began stay
 * killable for {@code keepOwnedFor}, whatever the session does (the operator chose that risk); a
 * deleted latch znode is not coordination trouble and still stops us.</li>
 * </ul>
 */
final class Fencing {
    private Fencing() {
    }

    /** The verdict, with the reason when it is no. */
    enum Verdict {
        KILL(true),
        KILL_KEEP_OWNED(true),
        KILL_SUSPENDED_GRACE(true),
        NOT_STARTED(false),
        RELEASED(false),
        NOT_CONFIGURED(false),
        NOT_LEADER(false),
        STALE_SEAT(false),
        LATCH_NODE_GONE(false),
        NO_LEASE(false),
        SESSION_LOST(false),
        GRACE_OVER(false);

        final boolean mayKill;

        Verdict(boolean mayKill) {
            this.mayKill = mayKill;
        }
    }

    /** The connection as the node sees it at the check. */
    enum Link { HEALTHY, TROUBLE, LOST }

    /**
     * Everything the decision depends on.
     *
     * @param running           started, not closed
     * @param released          the latches were released for a graceful stop
     * @param seated            this node has a seat in the database's latch (the database is configured here)
     * @param leader            the seat's latch says {@code hasLeadership()}
     * @param currentEpoch      the seat was made in the current session (not one that was lost)
     * @param latchNodeGone     the lease's watch saw the seat's latch znode deleted
     * @param leaseHeld         a heartbeat sent less than T/4 ago was answered
     * @param link              connection health
     * @param troubleNanos      how long the trouble has lasted (0 when healthy)
     * @param heldAtTrouble     the database was held when the trouble began
     * @param policy            what to do on coordination loss
     * @param keepOwnedNanos    the keep-owned bound
     * @param graceNanos        the SUSPENDED window (T/4)
     */
    record Facts(boolean running, boolean released, boolean seated, boolean leader, boolean currentEpoch,
                 boolean latchNodeGone, boolean leaseHeld, Link link, long troubleNanos, boolean heldAtTrouble,
                 CoordinationLossPolicy policy, long keepOwnedNanos, long graceNanos) {
    }

    static Verdict decide(Facts f) {
        if (!f.running()) {
            return Verdict.NOT_STARTED;
        }
        if (f.released()) {
            return Verdict.RELEASED;
        }
        if (!f.seated()) {
            return Verdict.NOT_CONFIGURED;
        }
        if (f.latchNodeGone()) {
            return Verdict.LATCH_NODE_GONE;
        }
        if (f.link() != Link.HEALTHY && f.policy() == CoordinationLossPolicy.KEEP_OWNED && f.heldAtTrouble()
                && f.troubleNanos() < f.keepOwnedNanos()) {
            return Verdict.KILL_KEEP_OWNED;
        }
        if (f.link() == Link.LOST) {
            return Verdict.SESSION_LOST;
        }
        if (!f.leaseHeld()) {
            return Verdict.NO_LEASE;
        }
        if (!f.currentEpoch()) {
            return Verdict.STALE_SEAT;
        }
        if (!f.leader()) {
            return Verdict.NOT_LEADER;
        }
        if (f.link() == Link.TROUBLE) {
            return f.troubleNanos() < f.graceNanos() ? Verdict.KILL_SUSPENDED_GRACE : Verdict.GRACE_OVER;
        }
        return Verdict.KILL;
    }
}
