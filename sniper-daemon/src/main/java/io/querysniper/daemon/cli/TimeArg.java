package io.querysniper.daemon.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A point in time on the command line: an age ({@code 90s}, {@code 15m}, {@code 1h}, {@code 2d}) or an ISO time. */
final class TimeArg {
    private static final Pattern AGE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private TimeArg() {
    }

    static Instant parse(String value, Clock clock, String option) {
        String v = value.trim();
        Matcher m = AGE.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return clock.instant().minus(d);
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw new UsageException(option + ": expected an age such as 90s, 15m, 1h, 2d, or a time such as "
                    + "2024-05-01T12:00:00Z or 2024-05-01, got '" + value + "'");
        }
    }
}
