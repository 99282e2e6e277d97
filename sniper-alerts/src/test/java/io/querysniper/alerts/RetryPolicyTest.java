package io.querysniper.alerts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RetryPolicyTest {
    private static final RetryPolicy P = RetryPolicy.DEFAULT;

    @ParameterizedTest
    @CsvSource({"1, 500, 1000", "2, 1000, 2000", "3, 2000, 4000", "7, 30000, 60000", "40, 30000, 60000"})
    void backoffDoublesWithJitterUpToTheCap(int attempt, long minMs, long maxMs) {
        assertThat(P.backoff(attempt, 0.0)).isEqualTo(Duration.ofMillis(minMs));
        assertThat(P.backoff(attempt, 0.999999).toMillis()).isBetween(maxMs - 1, maxMs);
    }

    @Test
    void retryAfterWinsUpToItsBound() {
        assertThat(P.wait(1, Duration.ofSeconds(7), 0.5)).isEqualTo(Duration.ofSeconds(7));
        assertThat(P.wait(1, Duration.ofHours(2), 0.5)).isEqualTo(Duration.ofMinutes(5));
        assertThat(P.wait(1, null, 0.0)).isEqualTo(Duration.ofMillis(500));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "3                              | PT3S",
            "0                              | PT0S",
            "Thu, 01 Jan 2026 00:00:10 GMT  | PT10S",
            "Wed, 31 Dec 2025 23:59:00 GMT  | PT0S",
            "-1                             | ",
            "soon                           | ",
    })
    void retryAfterIsSecondsOrAnHttpDate(String header, String expected) {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(RetryPolicy.parseRetryAfter(header, now)).isEqualTo(expected == null ? null : Duration.parse(expected));
    }
}
