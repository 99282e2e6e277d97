package io.querysniper.journal;

import io.querysniper.core.SniperException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the kill journal, validated once: every problem is reported together, nothing is clamped.
 *
 * @param nodeId       this node's id; names its spool file (no '/', it is also part of record ids)
 * @param retention    records older than this are pruned (default 30 days)
 * @param maxRecords   at most this many records are kept, oldest pruned first (default 1 000 000)
 * @param writeTimeout the longest a kill may wait on the journal (a full queue); normally it does not wait
 * @param spoolDir     local directory for records that could not reach ZooKeeper (appended, fsynced)
 * @param spoolMaxSize the spool (with a replay in progress) never passes this many bytes; what would pass it
 *                     is dropped, counted and logged (default 1 GiB)
 */
public record JournalOptions(String nodeId, Duration retention, long maxRecords, Duration writeTimeout, Path spoolDir,
                             long spoolMaxSize) {

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    public static final long DEFAULT_MAX_RECORDS = 1_000_000L;
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofMillis(200);
    public static final long DEFAULT_SPOOL_MAX_SIZE = 1L << 30;

    public JournalOptions {
        List<String> problems = new ArrayList<>();
        if (nodeId == null || nodeId.isBlank()) {
            problems.add("nodeId must not be blank");
        } else if (nodeId.contains("/") || nodeId.chars().anyMatch(Character::isWhitespace)) {
            problems.add("nodeId '" + nodeId + "' must not contain '/' or whitespace");
        }
        if (retention == null || retention.isNegative() || retention.isZero()) {
            problems.add("retention must be positive, got " + retention);
        }
        if (maxRecords <= 0) {
            problems.add("maxRecords must be positive, got " + maxRecords);
        }
        if (writeTimeout == null || writeTimeout.isNegative()) {
            problems.add("writeTimeout must be zero or positive, got " + writeTimeout);
        }
        if (spoolDir == null) {
            problems.add("spoolDir must be set");
        }
        if (spoolMaxSize < KillRecordCodec.MAX_BYTES + 1) {
            problems.add("spoolMaxSize must hold at least one record (" + (KillRecordCodec.MAX_BYTES + 1)
                    + " bytes), got " + spoolMaxSize);
        }
        if (!problems.isEmpty()) {
            throw new SniperException("invalid journal options: " + String.join("; ", problems));
        }
    }

    /** Options with the default spool cap ({@link #DEFAULT_SPOOL_MAX_SIZE}). */
    public JournalOptions(String nodeId, Duration retention, long maxRecords, Duration writeTimeout, Path spoolDir) {
        this(nodeId, retention, maxRecords, writeTimeout, spoolDir, DEFAULT_SPOOL_MAX_SIZE);
    }

    /** Options with the defaults of issue 5 (30 days, 1 000 000 records, 200 ms). */
    public static JournalOptions defaults(String nodeId, Path spoolDir) {
        return new JournalOptions(nodeId, DEFAULT_RETENTION, DEFAULT_MAX_RECORDS, DEFAULT_WRITE_TIMEOUT, spoolDir);
    }
}
