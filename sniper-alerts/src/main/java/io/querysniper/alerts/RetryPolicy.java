package io.querysniper.alerts;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * When to try a delivery again: exponential backoff with jitter, or what the endpoint asked for with
 * Retry-After (seconds or an HTTP date), bounded. Pure.
 */
record RetryPolicy(int maxAttempts, Duration base, Duration cap, Duration maxRetryAfter) {
    static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(60),
            Duration.ofMinutes(5));

    /**
     * @param attempt 1 after the first failed attempt
     * @param random  in [0, 1): the jitter (half the step is fixed, half random, so retries of many nodes spread)
     */
    Duration backoff(int attempt, double random) {
        long baseMs = base.toMillis();
        long step = attempt >= 31 ? cap.toMillis() : Math.min(cap.toMillis(), baseMs << Math.max(0, attempt - 1));
        return Duration.ofMillis(step / 2 + (long) (random * (step - step / 2)));
    }

    /** The wait before the next attempt; {@code retryAfter} (from the endpoint) wins when given, up to its bound. */
    Duration wait(int attempt, Duration retryAfter, double random) {
        if (retryAfter != null && !retryAfter.isNegative()) {
            return retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
        }
        return backoff(attempt, random);
    }

    /** A Retry-After header: delta-seconds or an HTTP date; null when absent or unreadable. */
    static Duration parseRetryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim();
        try {
            long s = Long.parseLong(h);
            return s < 0 ? null : Duration.ofSeconds(s);
        } catch (NumberFormatException e) {
            // an HTTP date
        }
        try {
            Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(now, at);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
