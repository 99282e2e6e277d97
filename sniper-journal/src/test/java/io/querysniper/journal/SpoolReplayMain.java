package io.querysniper.journal;

import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Replays a spool the way the journal's writer does (slices of {@code ZkJournal}'s replay size) without
 * ZooKeeper, and prints the record count and the peak heap. Run in a JVM of its own with a small
 * {@code -Xmx} by {@link SpoolTest} and by {@code bench/spool-replay/run.sh}:
 * {@code SpoolReplayMain <dir> [megabytes to write first]}.
 */
public final class SpoolReplayMain {
    private static final int SLICE = ZkRecordWriter.MAX_OPS * 10;

    private SpoolReplayMain() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        if (args.length > 1) {
            System.out.println("written=" + write(dir, Long.parseLong(args[1])));
        }
        long records = 0;
        Spool spool = new Spool(dir, "n1");
        try (Spool.Replay r = spool.openReplay()) {
            for (List<KillRecord> slice = r.next(SLICE); !slice.isEmpty(); slice = r.next(SLICE)) {
                records += slice.size();
            }
        }
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println("records=" + records + " spoolBytes=" + spool.bytes() + " peakHeapBytes=" + peak
                + " maxHeapBytes=" + Runtime.getRuntime().maxMemory());
    }

    /** Writes a spool of about {@code megabytes} MB of real records (one per line); returns how many. */
    static long write(Path dir, long megabytes) throws IOException {
        Files.createDirectories(dir);
        Path file = new Spool(dir, "n1").file();
        RecordIds ids = new RecordIds("n1");
        long limit = megabytes * 1024 * 1024;
        long bytes = 0;
        long n = 0;
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            while (bytes < limit) {
                Instant at = t.plusMillis(n);
                String line = KillRecordCodec.encodeToString(Records.intent(ids, at, "n1", "shop", "r"));
                w.write(line);
                w.write('\n');
                bytes += line.length() + 1;
                n++;
            }
        }
        return n;
    }
}
