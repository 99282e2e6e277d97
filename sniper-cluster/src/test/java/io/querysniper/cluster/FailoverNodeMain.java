package io.querysniper.cluster;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * One bench node as its own JVM, for {@link ProcessFailoverBench}: runs a {@link ClusterNode}
 * with production tuning and reports every change of {@code mayKill} on stdout as
 * {@code QS <db> 1|0} (the bench stamps lines on arrival with its own monotonic clock). SIGTERM
 * stops it gracefully as the daemon does: say {@code QS releasing}, release the latches, close. kill -9 is the
 * crash. Arguments: node-id connect-string session-timeout-ms db,db,...
 */
public final class FailoverNodeMain {
    private static final OutputStream OUT = new FileOutputStream(FileDescriptor.out);
    private static final Map<String, Boolean> reported = new HashMap<>();

    private FailoverNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        String id = args[0];
        ClusterOptions options = ClusterOptions.defaults(args[1], null)
                .withSessionTimeout(Duration.ofMillis(Long.parseLong(args[2])));
        List<String> dbs = Arrays.asList(args[3].split(","));
        ClusterNode node = new ClusterNode(options, new NodeInfo(id, "bench", "bench", "cfg"), dbs, Clock.systemUTC());
        Thread poller = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                report(node, dbs);
                LockSupport.parkNanos(1_000_000);
            }
        }, "bench-poller");
        poller.setDaemon(true);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Said before the release, so the bench counts the gap from no later than the moment
            // mayKill turns false (a report after the release would arrive after the standby's).
            say("QS releasing");
            node.releaseLatches();
            report(node, dbs);
            node.close();
            say("QS closed");
        }, "bench-shutdown"));
        node.start();
        say("QS ready");
        poller.start();
        poller.join();
    }

    private static synchronized void report(ClusterNode node, List<String> dbs) {
        for (String db : dbs) {
            boolean may = node.mayKill(db);
            if (!Boolean.valueOf(may).equals(reported.put(db, may))) {
                say("QS " + db + (may ? " 1" : " 0"));
            }
        }
    }

    /** One write per line, below PIPE_BUF, so log lines on the same stdout never split it. */
    private static void say(String line) {
        try {
            OUT.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            OUT.flush();
        } catch (IOException e) {
            // the bench went away
        }
    }
}
