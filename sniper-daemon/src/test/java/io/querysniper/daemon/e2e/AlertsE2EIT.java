package io.querysniper.daemon.e2e;

import com.sun.net.httpserver.HttpServer;
import io.querysniper.alerts.AlertService;
import io.querysniper.alerts.SinkStats;
import io.querysniper.config.AlertSettings;
import io.querysniper.config.AlertSinkSettings;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.port.KillGate;
import io.querysniper.core.port.KillListener;
import io.querysniper.testkit.Timing;
import io.querysniper.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A sink whose endpoint hangs must not slow a kill: victims on a real mariadbd are killed as fast with a
 * hanging webhook listening to every kill as with no sink at all. Prints both overshoots (the figures are
 * in the README); asserts only the kill bound the other end-to-end tests use.
 */
class AlertsE2EIT {
    private static final Duration WAIT = Timing.seconds(20);
    private static final long OVERSHOOT_MS = Timing.millis(2500).toMillis();
    private static final int VICTIMS = 8;
    private static final String RULE = "[ { name = slow, match { user = [victim] }, busy-time = 1s, action = kill-query } ]";

    @Test
    void aHangingSinkDoesNotSlowAKill() throws Exception {
        MariaDbServer db = Servers.primary();
        overshoots(db, KillListener.NONE); // warm-up: the first round after a start is slower, whatever listens
        List<Long> without = new ArrayList<>();

        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger received = new AtomicInteger();
        HttpServer hanging = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        hanging.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        hanging.createContext("/", x -> {
            received.incrementAndGet();
            try {
                release.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.close();
        });
        hanging.start();
        AlertSinkSettings sink = new AlertSinkSettings("audit", AlertSinkSettings.Type.WEBHOOK, Set.of(), Set.of(),
                EnumSet.allOf(AlertSinkSettings.Event.class), Duration.ZERO, Duration.ofHours(4), true, null, List.of(),
                Duration.ofSeconds(60), 3, URI.create("http://127.0.0.1:" + hanging.getAddress().getPort() + "/hook"),
                null, null);
        AlertService alerts = AlertService.create("e2e", new AlertSettings(Map.of("audit", sink)), Clock.systemUTC(),
                List.of(), null, Duration.ofMillis(200));
        alerts.start();
        List<Long> with = new ArrayList<>();
        try {
            for (int round = 0; round < 2; round++) { // interleaved, so both see the same machine
                without.addAll(overshoots(db, KillListener.NONE));
                with.addAll(overshoots(db, alerts));
            }
            await().atMost(WAIT).until(() -> received.get() >= 1);
            SinkStats stats = alerts.sinkStats().get(0);
            // The endpoint holds the first message; the others wait in (or overflow) the queue of 3.
            assertThat(stats.delivered()).isZero();
            assertThat(stats.depth() + stats.dropped()).isGreaterThanOrEqualTo(1);
        } finally {
            alerts.close();
            release.countDown();
            hanging.stop(0);
        }
        System.out.printf("kill overshoot over %d victims, no sink: p50 %d ms, max %d ms; hanging sink: p50 %d ms, max %d ms%n",
                without.size(), p50(without), max(without), p50(with), max(with));
        assertThat(with).allSatisfy(o -> assertThat(o).isBetween(0L, OVERSHOOT_MS));
    }

    /** Starts staggered victims under the engine with {@code extra} listening; returns each one's ms past the 1 s limit. */
    private static List<Long> overshoots(MariaDbServer db, KillListener extra) throws Exception {
        List<Victim> victims = new ArrayList<>();
        try (Sniper s = new Sniper().watch("primary", db, RULE).start(KillGate.ALWAYS, extra)) {
            List<CompletableFuture<Victim.Result>> running = new ArrayList<>();
            for (int i = 0; i < VICTIMS; i++) {
                Victim v = new Victim(db, "victim");
                victims.add(v);
                running.add(v.start("SELECT SLEEP(30)"));
                Thread.sleep(137);
            }
            List<Long> out = new ArrayList<>();
            for (CompletableFuture<Victim.Result> f : running) {
                Victim.Result r = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                KillE2EIT.assertKilledQuery(r);
                out.add(r.elapsedMs() - 1000);
            }
            await().atMost(WAIT).until(() -> s.finals(KillOutcome.KILLED).size() >= VICTIMS);
            return out;
        } finally {
            victims.forEach(Victim::close);
        }
    }

    private static long p50(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    private static long max(List<Long> xs) {
        return xs.stream().mapToLong(Long::longValue).max().orElse(-1);
    }
}
