package io.querysniper.alerts;

import io.querysniper.config.AlertSinkSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program for each notification, like pt-kill's {@code --execute-command} and gh-ost's hooks: never
 * through a shell; the event in {@code QS_*} environment variables and as the webhook's JSON on stdin;
 * bounded by the sink's timeout (then killed); its output logged (cut short). A non-zero exit is logged and
 * counted, not retried: a hook is not an endpoint that comes back.
 */
final class CommandSink implements Sink {
    private static final Logger log = LoggerFactory.getLogger(CommandSink.class);
    private static final int MAX_OUTPUT = 4096;

    private final AlertSinkSettings settings;

    CommandSink(AlertSinkSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String describe() {
        return "command " + settings.command().get(0);
    }

    static Map<String, String> environment(Notification n) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("QS_EVENT", n.key().event().configName());
        env.put("QS_STATUS", n.status().word());
        env.put("QS_DATABASE", n.key().database() == null ? "" : n.key().database());
        env.put("QS_RULE", n.key().rule() == null ? "" : n.key().rule());
        env.put("QS_COUNT", Integer.toString(n.count()));
        env.put("QS_DIGESTS", String.join(",", Messages.digests(n)));
        env.put("QS_NODE", n.node() == null ? "" : n.node());
        env.put("QS_GROUP_KEY", n.key().asString());
        env.put("QS_FIRST", n.firstAt().toString());
        env.put("QS_LAST", n.lastAt().toString());
        env.put("QS_REPEAT", Boolean.toString(n.repeat()));
        env.put("QS_SINK", n.sink());
        return env;
    }

    @Override
    public Attempt deliver(Notification n) {
        ProcessBuilder pb = new ProcessBuilder(settings.command()).redirectErrorStream(true);
        pb.environment().putAll(environment(n));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return Attempt.rejected(-1, "cannot start " + settings.command().get(0) + ": " + e.getMessage());
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readOutput(p.getInputStream()),
                r -> Thread.ofVirtual().name("sniper-alerts-" + settings.name() + "-output").start(r));
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write(Messages.webhook(n).toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the program need not read its stdin
        }
        try {
            if (!p.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return Attempt.rejected(-1, "killed after " + settings.timeout().toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return Attempt.retry(-1, null, "interrupted");
        }
        String out = output.completeOnTimeout("", 1, TimeUnit.SECONDS).join();
        if (!out.isBlank()) {
            log.info("alert sink {}: {} said: {}", settings.name(), settings.command().get(0), out.strip());
        }
        int exit = p.exitValue();
        return exit == 0 ? Attempt.delivered(0, Messages.cut(out.strip(), 300))
                : Attempt.rejected(exit, "exit " + exit + (out.isBlank() ? "" : ": " + Messages.cut(out.strip(), 300)));
    }

    private static String readOutput(InputStream in) {
        try (in) {
            byte[] head = in.readNBytes(MAX_OUTPUT);
            in.transferTo(OutputStream.nullOutputStream());
            return new String(head, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
