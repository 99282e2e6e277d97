package io.querysniper.testkit.zk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One ZooKeeper server run as a separate {@code java} process (QuorumPeerMain, from the
 * zookeeper jar on the given classpath), so a test can really kill -9 it. Its directory holds
 * zoo.cfg, myid, data and {@code server.log}. Create through {@link ZooKeeperEnsemble}.
 */
public final class ZooKeeperProcess {
    private final int myid;
    private final Path dir;
    private final int clientPort;
    private final String classpath;
    private volatile Process process;

    ZooKeeperProcess(int myid, Path dir, int clientPort, String classpath) {
        this.myid = myid;
        this.dir = dir;
        this.clientPort = clientPort;
        this.classpath = classpath;
    }

    public int myid() {
        return myid;
    }

    public int clientPort() {
        return clientPort;
    }

    public String connectString() {
        return "127.0.0.1:" + clientPort;
    }

    public Path directory() {
        return dir;
    }

    /** Starts the process (no-op when it runs). Does not wait; see {@link #awaitServing}. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dzookeeper.admin.enableServer=false", "-Dzookeeper.4lw.commands.whitelist=*",
                "-cp", classpath, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                dir.resolve("zoo.cfg").toString()));
        try {
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start ZooKeeper server " + myid, e);
        }
    }

    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    /** Graceful stop (SIGTERM), waiting up to 10 s, then SIGKILL. */
    public synchronized void stop() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        waitFor(p, 10);
        if (p.isAlive()) {
            p.destroyForcibly();
            waitFor(p, 10);
        }
    }

    /** kill -9: the server gets no chance to say goodbye. */
    public synchronized void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        waitFor(p, 10);
    }

    /** Stop (graceful) and start again with the same id, ports and data. */
    public void restart() {
        stop();
        start();
    }

    /** True when the server answers {@code srvr} with a mode, i.e. it is part of a serving quorum. */
    public boolean isServing() {
        return FourLetterWords.serving("127.0.0.1", clientPort);
    }

    public boolean answersRuok() {
        return "imok".equals(FourLetterWords.send("127.0.0.1", clientPort, "ruok", 1000));
    }

    /** Polls {@code srvr} until the server serves or the timeout passes. */
    public boolean awaitServing(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (isServing()) {
                return true;
            }
            if (!isRunning()) {
                return false;
            }
            sleep(100);
        }
        return false;
    }

    /** The server's log output (for assertion messages). */
    public String log() {
        try {
            Path f = dir.resolve("server.log");
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void waitFor(Process p, int seconds) {
        try {
            p.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
