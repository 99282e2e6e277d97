package io.querysniper.daemon;

import io.querysniper.testkit.Timing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ShutdownSignals} in a JVM of its own, with real signals: a clean stop exits 0, a stop that
 * hangs is halted by the watchdog with exit code 1, and a second SIGTERM halts at once (128 + 15).
 */
class ShutdownSignalsIT {
    private static final int SIGTERM_EXIT = 128 + 15;

    @TempDir
    Path dir;
    private Process process;

    @AfterEach
    void noProcessLeftBehind() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCleanStopExitsZero() throws Exception {
        Process p = start("quick", 60_000);
        p.destroy();
        assertThat(p.waitFor(Timing.seconds(10).toMillis(), TimeUnit.MILLISECONDS)).as(out()).isTrue();
        assertThat(p.exitValue()).as(out()).isZero();
        assertThat(out()).contains("stop: begun").contains("stop: done");
    }

    @Test
    void theWatchdogHaltsAStopThatHangs() throws Exception {
        long budgetMs = 1500;
        Process p = start("hang", budgetMs);
        long t0 = System.nanoTime();
        p.destroy();
        assertThat(p.waitFor(budgetMs + Timing.millis(10_000).toMillis(), TimeUnit.MILLISECONDS)).as(out()).isTrue();
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(p.exitValue()).as(out()).isEqualTo(1);
        assertThat(tookMs).as("halted by the watchdog, not before").isGreaterThanOrEqualTo(budgetMs);
        assertThat(out()).contains("stop: begun").contains("shutdown took longer than 1500 ms: forcing exit")
                .doesNotContain("stop: done");
    }

    @Test
    void aSecondSigtermForcesTheExitAtOnce() throws Exception {
        Process p = start("hang", 600_000); // the watchdog would wait ten minutes
        p.destroy();
        awaitOutput("stop: begun", p);
        long t0 = System.nanoTime();
        p.destroy(); // the second SIGTERM
        assertThat(p.waitFor(Timing.seconds(10).toMillis(), TimeUnit.MILLISECONDS)).as(out()).isTrue();
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(p.exitValue()).as(out()).isEqualTo(SIGTERM_EXIT);
        assertThat(out()).contains("second signal: forcing exit").doesNotContain("stop: done");
        System.out.printf("second SIGTERM: exited %d ms after it%n", tookMs);
    }

    private Process start(String mode, long budgetMs) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), HangingStop.class.getName(), mode, String.valueOf(budgetMs)))
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
        process = p;
        awaitOutput("ready", p);
        return p;
    }

    private void awaitOutput(String line, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + Timing.seconds(30).toNanos();
        while (!out().contains(line)) {
            assertThat(p.isAlive()).as("still running, waiting for '%s': %s", line, out()).isTrue();
            assertThat(System.nanoTime()).as("'%s' in time: %s", line, out()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private String out() {
        try {
            Path log = dir.resolve("out.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
