package io.querysniper.alerts;

import io.querysniper.config.AlertSinkSettings;
import io.querysniper.config.AlertSinkSettings.Event;
import io.querysniper.core.kill.KillRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A real script records its environment, arguments and stdin. */
class CommandSinkTest {
    @TempDir
    Path dir;

    private Path script(String body) throws IOException {
        Path p = dir.resolve("on-kill.sh");
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private static AlertSinkSettings command(List<String> cmd, Duration timeout) {
        return Sinks.withTimeout(Sinks.settings("hook", AlertSinkSettings.Type.COMMAND, Duration.ZERO, null, null, null,
                cmd, 10), timeout, 10);
    }

    private static Notification notification() {
        Instant t = GrouperTest.T0;
        List<KillRecord> kills = List.of(GrouperTest.kill(1, "orders", "long-select", t),
                GrouperTest.kill(2, "orders", "long-select", t), GrouperTest.kill(4, "orders", "long-select", t));
        return new Notification("hook", new GroupKey(Event.KILL, "orders", "long-select"), Notification.Status.FIRING,
                t, t.plusSeconds(3), 3, kills, null, "n1", false);
    }

    @Test
    void theEventIsInTheEnvironmentAndOnStdinAndNoShellReadsTheArguments() throws Exception {
        Path out = dir.resolve("env.txt");
        Path stdin = dir.resolve("stdin.json");
        Path args = dir.resolve("args.txt");
        Path s = script("env | grep '^QS_' | sort > '" + out + "'\ncat > '" + stdin + "'\nprintf '%s\\n' \"$@\" > '"
                + args + "'\necho done\n");
        CommandSink sink = new CommandSink(command(List.of(s.toString(), "$HOME; rm -rf /", "`id`"), Duration.ofSeconds(10)));
        Attempt a = sink.deliver(notification());
        assertThat(a.verdict()).isEqualTo(Attempt.Verdict.DELIVERED);
        assertThat(a.answer()).isEqualTo("done");
        assertThat(Files.readAllLines(out)).contains("QS_EVENT=kill", "QS_STATUS=firing", "QS_DATABASE=orders",
                "QS_RULE=long-select", "QS_COUNT=3", "QS_DIGESTS=d1,d2", "QS_NODE=n1",
                "QS_GROUP_KEY=kill/orders/long-select", "QS_SINK=hook");
        assertThat(Files.readAllLines(args)).containsExactly("$HOME; rm -rf /", "`id`");
        assertThat(Messages.JSON.readTree(stdin.toFile()).get("count").asInt()).isEqualTo(3);
    }

    @Test
    void aHangingCommandIsKilledAtItsTimeout() throws Exception {
        CommandSink sink = new CommandSink(command(List.of(script("sleep 60\n").toString()), Duration.ofMillis(300)));
        long t0 = System.nanoTime();
        Attempt a = sink.deliver(notification());
        assertThat(a.verdict()).isEqualTo(Attempt.Verdict.REJECTED);
        assertThat(a.answer()).startsWith("killed after 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aFailingCommandIsRejectedWithItsOutput() throws Exception {
        Attempt a = new CommandSink(command(List.of(script("echo nope >&2\nexit 3\n").toString()), Duration.ofSeconds(10)))
                .deliver(notification());
        assertThat(a.verdict()).isEqualTo(Attempt.Verdict.REJECTED);
        assertThat(a.status()).isEqualTo(3);
        assertThat(a.answer()).isEqualTo("exit 3: nope");
    }
}
