package io.querysniper.cluster;

/**
 * What a node does with the databases it owned once it can no longer prove it still owns them
 * (ZooKeeper connection suspended past the safe window, or session lost).
 */
public enum CoordinationLossPolicy {
    /** Stop killing: never two snipers on one database, at the price of a gap. The default. */
    STOP,
    /**
     * Keep killing on the databases owned when coordination was lost, for at most
     * {@link ClusterOptions#keepOwnedFor()}, accepting that another node may snipe them too.
     */
    KEEP_OWNED
}
