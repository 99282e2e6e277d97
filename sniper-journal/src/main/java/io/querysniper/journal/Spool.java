package io.querysniper.journal;

import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
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
 *
 * <p>Day-two rules (issue 9): an append that fails (a full disk) is cut back to the last whole line before
 * anything else is written, so no later record is glued to a partial one; replay streams the file (memory
 * does not grow with the spool); the spool and its replaying file together never pass {@code maxBytes}:
 * what would pass it is dropped and counted by the caller; a new file's directory is fsynced, so the file
 * survives a power loss along with its content. A partial last line (crash mid-append) is skipped with a
 * warning. Records ZooKeeper refuses for good go to a quarantine file next to the spool.
 */
final class Spool {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);
    /** Appends cut short by an interrupt that are written again before the records count as lost. */
    private static final int MAX_INTERRUPTED_ATTEMPTS = 3;

    /** Makes a directory's entries durable (an fsync of the directory); a seam for tests. */
    interface DirSync {
        void sync(Path dir) throws IOException;

        DirSync FSYNC = dir -> {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            }
        };
    }

    private final Path dir;
    private final Path file;
    private final Path replaying;
    private final Path quarantine;
    private final long maxBytes;
    private final DirSync dirSync;
    private FileChannel channel;
    /** Whether records wait here; read from disk once, then kept in memory (this process is the only writer). */
    private boolean dirty;
    /** Bytes in the spool and its replaying file (this process is their only writer). */
    private long bytes;
    /** Where the spool must be cut back to before the next append (a failed append left a tail), or -1. */
    private long repairTo = -1;

    Spool(Path dir, String nodeId) {
        this(dir, nodeId, Long.MAX_VALUE, DirSync.FSYNC);
    }

    Spool(Path dir, String nodeId, long maxBytes, DirSync dirSync) {
        this.dir = dir;
        this.file = dir.resolve("journal-spool-" + nodeId + ".jsonl");
        this.replaying = dir.resolve("journal-spool-" + nodeId + ".replaying.jsonl");
        this.quarantine = dir.resolve("journal-quarantine-" + nodeId + ".jsonl");
        this.maxBytes = maxBytes;
        this.dirSync = dirSync;
        try {
            Files.createDirectories(dir);
            dirty = onDisk();
            bytes = size(file) + size(replaying);
        } catch (IOException e) {
            throw new SniperException("cannot create journal spool directory " + dir + ": " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }

    Path quarantineFile() {
        return quarantine;
    }

    /** Bytes waiting in the spool and its replaying file. */
    synchronized long bytes() {
        return bytes;
    }

    /**
     * Appends the records and fsyncs once; returns how many were not appended because the spool would pass
     * its size cap (the newest ones: the oldest records are the ones a kill already waited for).
     */
    synchronized int append(List<KillRecord> records) {
        if (records.isEmpty()) {
            return 0;
        }
        StringBuilder sb = new StringBuilder(records.size() * 512);
        int kept = 0;
        long room = maxBytes - bytes;
        for (KillRecord r : records) {
            String line = KillRecordCodec.encodeToString(r) + '\n';
            long lineBytes = line.getBytes(StandardCharsets.UTF_8).length; // cheap next to the fsync
            if (lineBytes > room) {
                break;
            }
            room -= lineBytes;
            sb.append(line);
            kept++;
        }
        if (kept == 0) {
            return records.size();
        }
        byte[] data = sb.toString().getBytes(StandardCharsets.UTF_8);
        // A FileChannel closes itself when its thread is interrupted during I/O (or enters it interrupted):
        // the records come first, so the I/O runs with the flag cleared and the flag is given back after.
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    writeAndSync(data);
                    break;
                } catch (ClosedByInterruptException e) {
                    interrupted = true; // an interrupt arrived mid-write: cut back by open(), then written again
                    Thread.interrupted();
                    channel = null;
                    if (attempt == MAX_INTERRUPTED_ATTEMPTS) {
                        throw new SniperException("cannot append to journal spool " + file + ": interrupted "
                                + attempt + " times while writing", e);
                    }
                } catch (IOException e) {
                    throw new SniperException("cannot append to journal spool " + file + ": " + e.getMessage(), e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        dirty = true;
        return records.size() - kept;
    }

    /** Appends and fsyncs; on a failure the append is cut back (at once or before the next append). */
    private void writeAndSync(byte[] data) throws IOException {
        FileChannel ch = open();
        long before = ch.size();
        try {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
            bytes += ch.size() - before;
        } catch (IOException e) {
            repairTo = before;
            repair(); // at once if the disk lets us (not on a channel an interrupt closed); else at the next open
            throw e;
        }
    }

    /** Cuts away what a failed append left, so the next record starts on a line of its own. */
    private void repair() {
        if (repairTo < 0 || channel == null || !channel.isOpen()) {
            return;
        }
        try {
            channel.truncate(repairTo);
            channel.position(repairTo);
            channel.force(false);
            repairTo = -1;
        } catch (IOException e) {
            log.warn("journal spool {}: cannot yet cut a failed append back to {} bytes: {}", file, repairTo, e.toString());
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
     * Opens the records to replay, oldest first: an interrupted replay if there is one, else the current
     * spool, which is moved aside first. Read as a stream, a slice at a time.
     */
    synchronized Replay openReplay() {
        try {
            if (!Files.exists(replaying)) {
                if (!Files.exists(file) || Files.size(file) == 0) {
                    return new Replay(null);
                }
                repair();
                if (repairTo >= 0) {
                    throw new IOException("a failed append is not yet cut back");
                }
                closeChannel();
                Files.move(file, replaying, StandardCopyOption.ATOMIC_MOVE);
                dirSync.sync(dir);
            }
            return new Replay(replaying);
        } catch (IOException e) {
            throw new SniperException("cannot read journal spool " + replaying + ": " + e.getMessage(), e);
        }
    }

    /** The records of {@link #openReplay}, decoded as they are read. */
    final class Replay implements AutoCloseable {
        private final Path path;
        private final BufferedReader in;
        private int lineNo;

        private Replay(Path path) throws IOException {
            this.path = path;
            // Lenient decoding (the default of InputStreamReader): a partial multi-byte character at the end
            // must not hide the good lines.
            this.in = path == null ? null
                    : new BufferedReader(new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8), 64 * 1024);
        }

        /** Up to {@code max} more records; empty at the end. */
        List<KillRecord> next(int max) {
            List<KillRecord> out = new ArrayList<>(Math.min(max, 1024));
            if (in == null) {
                return out;
            }
            try {
                String line;
                while (out.size() < max && (line = in.readLine()) != null) {
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        out.add(KillRecordCodec.decode(line));
                    } catch (SniperException e) {
                        // Expected only for the last line of a crash mid-append; nothing else writes this file.
                        log.warn("skipping unreadable line {} of journal spool {} ({} chars)", lineNo, path, line.length());
                    }
                }
                return out;
            } catch (IOException e) {
                throw new SniperException("cannot read journal spool " + path + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException e) {
                    log.debug("closing {}: {}", path, e.toString());
                }
            }
        }
    }

    /** Reads the whole replay at once (tests and small spools). */
    List<KillRecord> takeForReplay() {
        try (Replay r = openReplay()) {
            return r.next(Integer.MAX_VALUE);
        }
    }

    /** Called once everything from {@link #openReplay} is in ZooKeeper (or quarantined). */
    synchronized void replayDone() {
        try {
            long size = size(replaying);
            Files.deleteIfExists(replaying);
            bytes = Math.max(0, bytes - size);
            dirty = onDisk();
        } catch (IOException e) {
            throw new SniperException("cannot delete journal spool " + replaying + ": " + e.getMessage(), e);
        }
    }

    /** Appends records ZooKeeper refused for good to the quarantine file, fsynced; kept for an operator. */
    synchronized void quarantine(List<KillRecord> records) {
        StringBuilder sb = new StringBuilder();
        for (KillRecord r : records) {
            sb.append(KillRecordCodec.encodeToString(r)).append('\n');
        }
        try {
            boolean created = !Files.exists(quarantine);
            try (FileChannel ch = FileChannel.open(quarantine, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(false);
            }
            if (created) {
                dirSync.sync(dir);
            }
        } catch (IOException e) {
            throw new SniperException("cannot append to journal quarantine " + quarantine + ": " + e.getMessage(), e);
        }
    }

    synchronized void close() {
        closeChannel();
    }

    private FileChannel open() throws IOException {
        if (channel == null || !channel.isOpen()) {
            boolean created = !Files.exists(file);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
            try {
                if (created) {
                    dirSync.sync(dir); // the new file's name must survive a power loss like its content
                }
                ch.position(ch.size()); // append: this process is the spool's only writer
                // A crash mid-append may have left a partial line: end it so the next record starts clean
                // (a failed append of this process is cut back instead, below).
                long size = ch.size();
                if (size > 0 && repairTo < 0) {
                    ByteBuffer last = ByteBuffer.allocate(1);
                    ch.read(last, size - 1);
                    if (last.get(0) != '\n') {
                        ch.write(ByteBuffer.wrap(new byte[]{'\n'}));
                        bytes++;
                    }
                }
            } catch (IOException e) {
                ch.close(); // opened again, and the partial line looked at again, by the next append
                throw e;
            }
            channel = ch;
        }
        repair();
        if (repairTo >= 0) {
            throw new IOException("a failed append is not yet cut back to " + repairTo + " bytes");
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

    private static long size(Path p) throws IOException {
        return Files.exists(p) ? Files.size(p) : 0;
    }
}
