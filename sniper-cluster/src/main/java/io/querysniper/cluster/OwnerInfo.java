package io.querysniper.cluster;

import java.time.Instant;

/** Which node owns a database, and since when (as written by the owner into ZooKeeper). */
public record OwnerInfo(String nodeId, Instant since) {
}
