package io.querysniper.journal;

import io.querysniper.core.SniperException;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.kill.RecordIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The spool's day-two rules: a full disk, a size cap, a durable directory entry, streamed replay. */
class SpoolTest {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path tmp;

    private final RecordIds ids = new RecordIds("n1");

    private List<KillRecord> records(int n) {
        List<KillRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Records.intent(ids, Instant.now(), "n1", "shop", "r"));
        }
        return out;
    }

    /**
     * A really full filesystem (a 64 KB tmpfs): the append that hits ENOSPC writes part of its line and fails;
     * once there is room again, the next record must start on a line of its own, or it is glued to the partial
     * line and skipped at replay: a record reported durable would be lost.
     */
    @Test
    void anAppendThatFillsTheDiskIsCutBackBeforeTheNextOne() throws Exception {
        Path mnt = tmp.resolve("full");
        Files.createDirectories(mnt);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt.toString()) == 0,
                "cannot mount a 64k tmpfs here (needs root and mount rights): full-disk test skipped");
        try {
            Files.write(mnt.resolve("spare"), new byte[16 * 1024]); // room to give back once the disk is full
            Spool spool = new Spool(mnt.resolve("spool"), "n1");
            List<KillRecord> durable = new ArrayList<>();
            SniperException full = null;
            for (int i = 0; i < 1000 && full == null; i++) {
                List<KillRecord> batch = records(7);
                try {
                    spool.append(batch);
                    durable.addAll(batch); // append returned: reported durable
                } catch (SniperException e) {
                    full = e;
                }
            }
            assertThat(full).as("the tmpfs filled up").isNotNull();
            assertThat(full.getMessage()).contains("No space left");

            Files.delete(mnt.resolve("spare")); // an operator makes room
            KillRecord after = records(1).get(0);
            spool.append(List.of(after));
            durable.add(after);
            spool.close();

            assertThat(spool.takeForReplay()).extracting(KillRecord::id)
                    .containsExactlyElementsOf(durable.stream().map(KillRecord::id).toList());
        } finally {
            run("umount", mnt.toString());
        }
    }

    /**
     * A journal stopping interrupts its writer when it does not drain in time; a FileChannel closes itself
     * when its thread is interrupted, and the records of that append were lost ("200 record(s) lost, spool
     * failed", a process test's stop under a kill load). The spool writes them anyway and keeps the flag.
     */
    @Test
    void anInterruptedThreadStillAppendsAndKeepsItsInterrupt() {
        Spool spool = new Spool(tmp, "n1", Long.MAX_VALUE, dir -> { });
        List<KillRecord> before = records(3);
        spool.append(before);
        List<KillRecord> interrupted = records(4);
        Thread.currentThread().interrupt();
        try {
            assertThat(spool.append(interrupted)).isZero();
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is given back").isTrue();
        } finally {
            Thread.interrupted();
        }
        List<KillRecord> after = records(2);
        spool.append(after);
        spool.close();
        List<String> all = new ArrayList<>();
        for (List<KillRecord> batch : List.of(before, interrupted, after)) {
            batch.forEach(r -> all.add(r.id()));
        }
        assertThat(spool.takeForReplay()).extracting(KillRecord::id).containsExactlyElementsOf(all);
    }

    @Test
    void theCapDropsTheNewestRecordsAndSaysHowMany() {
        List<KillRecord> first = records(10);
        long oneLine = KillRecordCodec.encode(first.get(0)).length + 1;
        Spool spool = new Spool(tmp, "n1", oneLine * 12 + 5, dir -> { });
        assertThat(spool.append(first)).isZero();
        List<KillRecord> second = records(5);
        assertThat(spool.append(second)).isEqualTo(3);
        assertThat(spool.append(records(1))).isEqualTo(1);
        spool.close();
        List<KillRecord> back = spool.takeForReplay();
        assertThat(back).hasSize(12);
        assertThat(back.get(11).id()).isEqualTo(second.get(1).id());
        spool.replayDone();
        assertThat(spool.bytes()).isZero();
        assertThat(spool.append(records(2))).as("room again once replayed").isZero();
    }

    @Test
    void aNewSpoolFileHasItsDirectoryFsynced() {
        List<Path> synced = new ArrayList<>();
        Spool spool = new Spool(tmp, "n1", Long.MAX_VALUE, synced::add);
        spool.append(records(1));
        spool.append(records(1));
        assertThat(synced).containsExactly(tmp);
        spool.close();
        spool.openReplay().close(); // the move aside is made durable too
        assertThat(synced).containsExactly(tmp, tmp);
    }

    @Test
    void quarantinedRecordsAreKeptInTheirOwnFile() {
        Spool spool = new Spool(tmp, "n1");
        List<KillRecord> poison = records(2);
        spool.quarantine(poison);
        assertThat(spool.quarantineFile()).exists();
        assertThat(spool.hasData()).isFalse();
        assertThat(lines(spool.quarantineFile())).hasSize(2);
    }

    /**
     * Replay streams: a spool four times the heap is replayed by a JVM with {@code -Xmx32m}. Reading the
     * whole file at once (readAllBytes) dies with an OutOfMemoryError there.
     */
    @Test
    void aSpoolBiggerThanTheHeapIsReplayed() throws Exception {
        Path dir = tmp.resolve("big");
        long records = SpoolReplayMain.write(dir, 128);
        Process p = new ProcessBuilder(JAVA, "-Xmx32m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                SpoolReplayMain.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("records=" + records + " ");
    }

    @Test
    void aTooSmallCapIsRefused() {
        assertThatThrownBy(() -> new JournalOptions("n1", JournalOptions.DEFAULT_RETENTION, 10,
                JournalOptions.DEFAULT_WRITE_TIMEOUT, tmp, 100))
                .hasMessageContaining("spoolMaxSize must hold at least one record");
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int run(String... cmd) throws Exception {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        }
    }
}
