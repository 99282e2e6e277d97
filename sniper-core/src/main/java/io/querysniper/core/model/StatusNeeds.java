package io.querysniper.core.model;

/** Which optional, server-wide readings a snapshot should include; each costs one more query. */
public record StatusNeeds(boolean replicaLag, boolean historyListLength) {
    public static final StatusNeeds NONE = new StatusNeeds(false, false);
}
