package io.querysniper.mysql;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.querysniper.core.model.Session;

/**
 * Maps one row of a flavour's session query ({@link SessionQueries}) to a {@link Session}. Pure
 * functions over a column-label (upper case) to value map, so recorded rows of servers that are not
 * at hand (MySQL 8, 5.7) can be tested.
 */
final class ProcesslistRows {
    private ProcesslistRows() {
    }

    /** MariaDB: TIME_MS gives millisecond ages, QUERY_ID the running statement for KILL QUERY ID. */
    static Session mariadb(Map<String, Object> row) {
        String user = text(row, "USER");
        String command = text(row, "COMMAND");
        return new Session(number(row, "ID"), number(row, "QUERY_ID"), user, text(row, "HOST"),
                nullableText(row, "DB"), command, nullableText(row, "STATE"), nullableText(row, "INFO"),
                millis(row.get("TIME_MS")), transactionAge(row), number(row, "TRX_ROWS_MODIFIED"), null,
                ThreadKinds.classify(user, command, null, null), id(row, "TRX_ID"), -1);
    }

    /**
     * MySQL 8.0.22+: the age of a running statement comes from events_statements_current TIMER_WAIT
     * (picoseconds); idle sessions and statements without a timer fall back to whole-second TIME.
     */
    static Session mysql8(Map<String, Object> row) {
        String user = text(row, "USER");
        String command = text(row, "COMMAND");
        Object timer = row.get("STMT_TIMER_WAIT");
        Duration time = timer != null && !"Sleep".equalsIgnoreCase(command)
                ? Duration.ofNanos(toBigDecimal(timer).movePointLeft(3).longValue())
                : Duration.ofSeconds(Math.max(0, number(row, "TIME")));
        return new Session(number(row, "ID"), -1, user, text(row, "HOST"), nullableText(row, "DB"), command,
                nullableText(row, "STATE"), nullableText(row, "INFO"), time, transactionAge(row),
                number(row, "TRX_ROWS_MODIFIED"), nullableText(row, "STMT_DIGEST"),
                ThreadKinds.classify(user, command, nullableText(row, "THREAD_TYPE"), nullableText(row, "THREAD_NAME")),
                id(row, "TRX_ID"), timer != null ? id(row, "STMT_EVENT_ID") : -1);
    }

    /** MySQL 5.7: whole-second TIME, refined into a never-overstated estimate by {@link AgeTracker}. */
    static Session mysql57(Map<String, Object> row, AgeTracker ages, Instant takenAt) {
        String user = text(row, "USER");
        String command = text(row, "COMMAND");
        long id = number(row, "ID");
        String info = nullableText(row, "INFO");
        Duration time = ages.age(id, command, info, Math.max(0, number(row, "TIME")), takenAt);
        return new Session(id, -1, user, text(row, "HOST"), nullableText(row, "DB"), command,
                nullableText(row, "STATE"), info, time, transactionAge(row), number(row, "TRX_ROWS_MODIFIED"), null,
                ThreadKinds.classify(user, command, null, null), id(row, "TRX_ID"), -1);
    }

    /**
     * INNODB_TRX.trx_started has whole seconds, so NOW(6) - trx_started overstates the age by up to a
     * second. The lower bound (minus 999 ms) is used: a transaction is never killed before its limit.
     */
    static Duration transactionAge(Map<String, Object> row) {
        Object us = row.get("TRX_AGE_US");
        if (us == null) {
            return null;
        }
        long ms = toBigDecimal(us).longValue() / 1000 - 999;
        return Duration.ofMillis(Math.max(0, ms));
    }

    /** A non-negative id (trx_id, EVENT_ID), or -1 when absent or beyond a signed long. */
    private static long id(Map<String, Object> row, String column) {
        Object v = row.get(column);
        if (v == null) {
            return -1;
        }
        try {
            BigDecimal d = toBigDecimal(v);
            return d.signum() < 0 || d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 ? -1 : d.longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            return -1;
        }
    }

    private static Duration millis(Object value) {
        if (value == null) {
            return Duration.ZERO;
        }
        long micros = toBigDecimal(value).movePointRight(3).longValue();
        return Duration.ofNanos(Math.max(0, micros) * 1000L);
    }

    private static long number(Map<String, Object> row, String column) {
        Object v = row.get(column);
        if (v == null) {
            return column.equals("QUERY_ID") ? -1 : 0;
        }
        return toBigDecimal(v).longValue();
    }

    private static BigDecimal toBigDecimal(Object v) {
        if (v instanceof BigDecimal b) {
            return b;
        }
        if (v instanceof Number n) {
            return new BigDecimal(n.toString());
        }
        return new BigDecimal(v.toString().trim());
    }

    private static String text(Map<String, Object> row, String column) {
        String s = nullableText(row, column);
        return s == null ? "" : s;
    }

    private static String nullableText(Map<String, Object> row, String column) {
        Object v = row.get(column);
        if (v == null) {
            return null;
        }
        if (v instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return v.toString();
    }
}
