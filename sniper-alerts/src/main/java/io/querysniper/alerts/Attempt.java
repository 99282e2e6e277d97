package io.querysniper.alerts;

import java.time.Duration;

/**
 * How one delivery attempt ended.
 *
 * @param status     the HTTP status or the command's exit code; -1 when there was no answer
 * @param retryAfter what the endpoint asked for (Retry-After), or null
 * @param answer     what the endpoint said, cut short (never a secret of ours), for logs and alert-test
 */
public record Attempt(Verdict verdict, int status, Duration retryAfter, String answer) {

    /** What to do next. */
    public enum Verdict {
        DELIVERED,
        /** Worth another try later: 429, 5xx, a timeout, no connection. */
        RETRY,
        /** Never worth another try (a bad payload, a deleted channel, a wrong key): logged once and counted. */
        REJECTED
    }

    static Attempt delivered(int status, String answer) {
        return new Attempt(Verdict.DELIVERED, status, null, answer);
    }

    static Attempt retry(int status, Duration retryAfter, String answer) {
        return new Attempt(Verdict.RETRY, status, retryAfter, answer);
    }

    static Attempt rejected(int status, String answer) {
        return new Attempt(Verdict.REJECTED, status, null, answer);
    }
}
