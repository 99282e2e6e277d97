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
 * @param maxRecords   at most this many records are kept, oldest pruned first (default 50 000: ZooKeeper holds
 *                     every record in its heap, see {@link #ZK_HEAP_BYTES_PER_RECORD})
 * @param writeTimeout the longest a kill may wait on the journal (a full queue); normally it does not wait
 * @param spoolDir     local directory for records that could not reach ZooKeeper (appended, fsynced)
 * @param spoolMaxSize the spool (with a replay in progress) never passes this many bytes; what would pass it
 *                     is dropped, counted and logged (default 1 GiB)
 */
public record JournalOptions(String nodeId, Duration retention, long maxRecords, Duration writeTimeout, Path spoolDir,
                             long spoolMaxSize) {

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    public static final long DEFAULT_MAX_RECORDS = 50_000L;
    /**
     * ZooKeeper heap one record takes (its node, path, data, stat and its parent's child entry): 1053 bytes
     * measured for a typical 450-byte record (bench/journal-disk), rounded up. A record is at most
     * {@link KillRecordCodec#MAX_BYTES}, so long fingerprints take more.
     */
    public static final long ZK_HEAP_BYTES_PER_RECORD = 1100;
    /**
     * Above this much ZooKeeper heap for the journal, start warns: with the embedded ZooKeeper it is the
     * daemon's own heap (256 MB by default), with an ensemble every server's. Default retention: ~55 MB.
     */
    public static final long ZK_HEAP_WARN_BYTES = 64L << 20;
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

    /**
     * A warning when {@code maxRecords} may take more ZooKeeper heap than {@link #ZK_HEAP_WARN_BYTES}, else
     * null. The journal is the recent past for operators; long-term audit belongs in the SQL export.
     */
    public String zkHeapWarning() {
        long bytes = maxRecords * ZK_HEAP_BYTES_PER_RECORD;
        if (maxRecords <= ZK_HEAP_WARN_BYTES / ZK_HEAP_BYTES_PER_RECORD) {
            return null;
        }
        return "journal.max-records = " + maxRecords + " may keep about " + (bytes >> 20) + " MB in ZooKeeper's heap ("
                + ZK_HEAP_BYTES_PER_RECORD + " bytes a record; the embedded ZooKeeper shares the daemon's heap); "
                + "keep the journal short (default " + DEFAULT_MAX_RECORDS + ") and send long-term audit to SQL "
                + "with journal.export";
    }

    /** Options with the default spool cap ({@link #DEFAULT_SPOOL_MAX_SIZE}). */
    public JournalOptions(String nodeId, Duration retention, long maxRecords, Duration writeTimeout, Path spoolDir) {
        this(nodeId, retention, maxRecords, writeTimeout, spoolDir, DEFAULT_SPOOL_MAX_SIZE);
    }

    /** Options with the defaults (30 days, 50 000 records, 200 ms, a 1 GiB spool). */
    public static JournalOptions defaults(String nodeId, Path spoolDir) {
        return new JournalOptions(nodeId, DEFAULT_RETENTION, DEFAULT_MAX_RECORDS, DEFAULT_WRITE_TIMEOUT, spoolDir);
    }
}
