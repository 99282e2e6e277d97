package io.querysniper.journal;

import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Local write-ahead spool for records that could not reach ZooKeeper: one JSON per line, appended and
 * fsynced. Replay moves the spool aside ({@code .replaying}) so new records keep being appended to a
 * fresh file while the old one is written to ZooKeeper; a crash in the middle leaves the {@code .replaying}
 * file, which is replayed first next time (writes are idempotent, so replaying twice is harmless).
 * A partial last line (crash mid-append) is skipped with a warning.
 */
final class Spool {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    private final Path file;
    private final Path replaying;
    private FileChannel channel;
    /** Whether records wait here; read from disk once, then kept in memory (this process is the only writer). */
    private boolean dirty;

    Spool(Path dir, String nodeId) {
        this.file = dir.resolve("journal-spool-" + nodeId + ".jsonl");
        this.replaying = dir.resolve("journal-spool-" + nodeId + ".replaying.jsonl");
        try {
            Files.createDirectories(dir);
            dirty = onDisk();
        } catch (IOException e) {
            throw new SniperException("cannot create journal spool directory " + dir + ": " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }

    /** Appends the records and fsyncs once. */
    synchronized void append(List<KillRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder(records.size() * 512);
        for (KillRecord r : records) {
            sb.append(KillRecordCodec.encodeToString(r)).append('\n');
        }
        try {
            FileChannel ch = open();
            ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
            dirty = true;
        } catch (IOException e) {
            throw new SniperException("cannot append to journal spool " + file + ": " + e.getMessage(), e);
        }
    }

    /** True when records wait in the spool (or in an interrupted replay). */
    synchronized boolean hasData() {
        return dirty;
    }

    private boolean onDisk() throws IOException {
        return Files.exists(replaying) || (Files.exists(file) && Files.size(file) > 0);
    }

    /**
     * The records to replay, oldest first: an interrupted replay if there is one, else the current spool,
     * which is moved aside first. Empty when there is nothing.
     */
    synchronized List<KillRecord> takeForReplay() {
        try {
            if (!Files.exists(replaying)) {
                if (!Files.exists(file) || Files.size(file) == 0) {
                    return List.of();
                }
                closeChannel();
                Files.move(file, replaying, StandardCopyOption.ATOMIC_MOVE);
            }
            return read(replaying);
        } catch (IOException e) {
            throw new SniperException("cannot read journal spool " + replaying + ": " + e.getMessage(), e);
        }
    }

    /** Called once everything from {@link #takeForReplay} is in ZooKeeper. */
    synchronized void replayDone() {
        try {
            Files.deleteIfExists(replaying);
            dirty = onDisk();
        } catch (IOException e) {
            throw new SniperException("cannot delete journal spool " + replaying + ": " + e.getMessage(), e);
        }
    }

    synchronized void close() {
        closeChannel();
    }

    private FileChannel open() throws IOException {
        if (channel == null || !channel.isOpen()) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
            channel.position(channel.size()); // append: this process is the spool's only writer
            // A crash mid-append may have left a partial line: end it so the next record starts clean.
            long size = channel.size();
            if (size > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                channel.read(last, size - 1);
                if (last.get(0) != '\n') {
                    channel.write(ByteBuffer.wrap(new byte[]{'\n'}));
                }
            }
        }
        return channel;
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                log.warn("closing journal spool {} failed: {}", file, e.toString());
            }
            channel = null;
        }
    }

    private static List<KillRecord> read(Path p) throws IOException {
        List<KillRecord> out = new ArrayList<>();
        int lineNo = 0;
        // Lenient decoding: a partial multi-byte character at the end must not hide the good lines.
        for (String line : new String(Files.readAllBytes(p), StandardCharsets.UTF_8).split("\n", -1)) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(KillRecordCodec.decode(line));
            } catch (SniperException e) {
                // Expected only for the last line of a crash mid-append; nothing else writes this file.
                log.warn("skipping unreadable line {} of journal spool {} ({} chars)", lineNo, p, line.length());
            }
        }
        return out;
    }
}
