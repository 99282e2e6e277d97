package io.querysniper.alerts;

import io.querysniper.config.AlertSinkSettings;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Slack (incoming webhook, Block Kit), PagerDuty Events API v2 and plain webhooks, over the JDK's HTTP client.
 * Every call is bounded by the sink's timeout from the first byte sent to the last byte of the answer.
 */
final class HttpSink implements Sink {
    static final URI PAGERDUTY_ENDPOINT = URI.create("https://events.pagerduty.com/v2/enqueue");
    static final String TIMESTAMP_HEADER = "X-Query-Sniper-Timestamp";
    static final String SIGNATURE_HEADER = "X-Query-Sniper-Signature";
    /** Slack answers these for a payload or channel that will never work: not retried. */
    private static final Set<Integer> SLACK_FINAL = Set.of(400, 403, 404, 410);
    private static final int MAX_ANSWER = 300;

    private final AlertSinkSettings settings;
    private final HttpClient client;
    private final Clock clock;
    private final URI url;

    HttpSink(AlertSinkSettings settings, HttpClient client, Clock clock) {
        this.settings = settings;
        this.client = client;
        this.clock = clock;
        this.url = settings.url() != null ? settings.url()
                : settings.type() == AlertSinkSettings.Type.PAGERDUTY ? PAGERDUTY_ENDPOINT : null;
        if (url == null) {
            throw new IllegalArgumentException("sink " + settings.name() + " has no url");
        }
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public Duration minSpacing() {
        return switch (settings.type()) {
            case SLACK -> Duration.ofSeconds(1);          // Slack: one message per second per webhook
            case PAGERDUTY -> Duration.ofMillis(500);     // about 120 events a minute per routing key
            default -> Duration.ZERO;
        };
    }

    @Override
    public String describe() {
        return settings.type().configName() + " " + AlertSinkSettings.maskedUrl(url);
    }

    String body(Notification n) {
        return switch (settings.type()) {
            case SLACK -> Messages.slack(n).toString();
            case PAGERDUTY -> Messages.pagerDuty(n, settings.routingKey(), settings.severity()).toString();
            default -> Messages.webhook(n).toString();
        };
    }

    @Override
    public Attempt deliver(Notification n) {
        String body = body(n);
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "query-sniper")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (settings.type() == AlertSinkSettings.Type.WEBHOOK && settings.hmacSecret() != null) {
            String timestamp = Long.toString(clock.instant().getEpochSecond());
            req.header(TIMESTAMP_HEADER, timestamp);
            req.header(SIGNATURE_HEADER, "sha256=" + sign(settings.hmacSecret(), timestamp, body));
        }
        CompletableFuture<HttpResponse<String>> call = client.sendAsync(req.build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> response;
        try {
            response = call.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            return Attempt.retry(-1, null, "no answer within " + settings.timeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            return Attempt.retry(-1, null, "interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            // The class only: some messages of the HTTP stack name the URI, whose path is a secret.
            return Attempt.retry(-1, null, c.getClass().getSimpleName());
        }
        return classify(response.statusCode(), Messages.cut(response.body(), MAX_ANSWER),
                RetryPolicy.parseRetryAfter(response.headers().firstValue("Retry-After").orElse(null), clock.instant()));
    }

    Attempt classify(int status, String answer, Duration retryAfter) {
        if (status == 429 || status >= 500 || status == 408) {
            return Attempt.retry(status, retryAfter, answer);
        }
        return switch (settings.type()) {
            case SLACK -> status == 200 ? Attempt.delivered(status, answer)
                    : SLACK_FINAL.contains(status) ? Attempt.rejected(status, answer) : Attempt.rejected(status, answer);
            case PAGERDUTY -> status == 202 || status == 200 ? Attempt.delivered(status, answer) : Attempt.rejected(status, answer);
            default -> status >= 200 && status < 300 ? Attempt.delivered(status, answer) : Attempt.rejected(status, answer);
        };
    }

    /** HMAC-SHA256 over {@code timestamp + "." + body}, hex: a receiver recomputes it and refuses old timestamps. */
    static String sign(String secret, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) '.');
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
