package io.querysniper.daemon.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged jar run as its own process ({@code java -jar query-sniper.jar ...}), output to a file. */
final class DaemonProcess implements AutoCloseable {
    private final List<String> prefix;
    private final List<String> args;
    private final Path log;
    private final List<String> jvmOptions = new ArrayList<>();
    private Process process;

    DaemonProcess(Path log, String... args) {
        this(List.of(), log, args);
    }

    /** Run under a command prefix that execs its arguments, e.g. {@code ip netns exec <ns>}. */
    DaemonProcess(List<String> prefix, Path log, String... args) {
        this.prefix = List.copyOf(prefix);
        this.log = log;
        this.args = List.of(args);
    }

    /** Adds JVM options (system properties, test hooks) for {@link #start()}. */
    DaemonProcess jvm(String... options) {
        jvmOptions.addAll(List.of(options));
        return this;
    }

    static Path jar() {
        String p = System.getProperty("qs.jar");
        Path jar = p == null ? Path.of("target", "query-sniper.jar") : Path.of(p);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("packaged jar missing: " + jar + " (process tests run after `package`)");
        }
        return jar;
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Runs a one-shot command of the jar to completion; returns exit code and output. */
    static Result runOnce(Duration timeout, String... args) {
        try {
            List<String> cmd = new ArrayList<>(List.of(java(), "-jar", jar().toString()));
            cmd.addAll(List.of(args));
            Path out = Files.createTempFile("qs-cli-", ".out");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("command did not finish in " + timeout + ": " + args[0]);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            return new Result(p.exitValue(), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Result(int code, String output) {
    }

    synchronized DaemonProcess start() {
        try {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(List.of(java(), "-Xmx256m", "-XX:TieredStopAtLevel=1"));
            cmd.addAll(jvmOptions);
            cmd.addAll(List.of("-jar", jar().toAbsolutePath().toString()));
            cmd.addAll(args);
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the log has a line containing {@code text} (counting occurrences so restarts work). */
    boolean awaitLog(String text, int occurrences, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (log().split(java.util.regex.Pattern.quote(text), -1).length - 1 >= occurrences) {
                return true;
            }
            if (process != null && !process.isAlive()) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** SIGTERM; returns how long the process took to exit, or null if it did not within the timeout. */
    synchronized Duration terminate(Duration timeout) throws InterruptedException {
        long t0 = System.nanoTime();
        process.destroy(); // SIGTERM on Unix
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return null;
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** Sends a signal by name (HUP, TERM, ...) with kill(1). */
    synchronized void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** kill -9. */
    synchronized void crash() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    synchronized int exitCode() {
        return process.exitValue();
    }

    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
