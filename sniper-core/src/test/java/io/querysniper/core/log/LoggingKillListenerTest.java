package io.querysniper.core.log;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.KeyValuePair;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.querysniper.core.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

class LoggingKillListenerTest {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(LoggingKillListener.LOGGER);

    @BeforeEach
    void attach() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
        MDC.clear();
    }

    static KillRecord record(KillOutcome outcome) {
        return new KillRecord("0000000000001-n1-000001", T0, "n1", "orders", 42, 7, "app", "10.0.0.5:5000", "shop",
                "Query", "Sending data", 31_200, 40_000, 3, "long-reports", KillAction.KILL_QUERY, outcome, null,
                "select * from t where id = ?", "abcdef0123456789", null, Map.of("application", "shop"), false);
    }

    @Test
    void oneStructuredLineWithEveryFieldAndMdcRestoredAfter() {
        MDC.put(MdcScope.DB, "outer");
        new LoggingKillListener().onRecord(record(KillOutcome.KILLED));
        assertThat(MDC.get(MdcScope.DB)).isEqualTo("outer");
        assertThat(MDC.get(MdcScope.RULE)).isNull();

        assertThat(appender.list).hasSize(1);
        ILoggingEvent e = appender.list.get(0);
        Map<String, Object> kv = e.getKeyValuePairs().stream()
                .collect(Collectors.toMap(p -> p.key, p -> p.value == null ? "null" : p.value));
        assertThat(kv).containsEntry("database", "orders").containsEntry("threadId", 42L)
                .containsEntry("user", "app").containsEntry("host", "10.0.0.5:5000").containsEntry("schema", "shop")
                .containsEntry("command", "Query").containsEntry("state", "Sending data").containsEntry("ageMs", 31_200L)
                .containsEntry("trxAgeMs", 40_000L).containsEntry("rule", "long-reports")
                .containsEntry("action", "kill-query").containsEntry("outcome", "KILLED")
                .containsEntry("fingerprint", "select * from t where id = ?")
                .containsEntry("digest", "abcdef0123456789").containsEntry("tag.application", "shop")
                .containsKey("error");
        assertThat(e.getMDCPropertyMap()).containsEntry("qs.node", "n1").containsEntry("qs.db", "orders")
                .containsEntry("qs.rule", "long-reports");
        assertThat(e.getFormattedMessage()).startsWith("KILLED kill-query database=orders thread=42")
                .contains("rule=long-reports").contains("digest=abcdef0123456789");
        assertThat(e.getLevel().toString()).isEqualTo("INFO");
    }

    @Test
    void failuresAndGuardsAreWarnings() {
        LoggingKillListener l = new LoggingKillListener();
        l.onRecord(record(KillOutcome.NOT_PERMITTED));
        l.onRecord(new KillRecord("id", T0, "n1", "orders", -1, -1, null, null, null, null, null, -1, -1, 0, null,
                null, KillOutcome.GUARD_TRIPPED, "more than 60 kills in a minute", null, null, null, null, false));
        assertThat(appender.list).extracting(ev -> ev.getLevel().toString()).containsExactly("WARN", "WARN");
        assertThat(appender.list.get(1).getFormattedMessage()).contains("GUARD_TRIPPED").contains("more than 60");
    }

    @Test
    void compositeKeepsGoingPastAThrowingListener() {
        List<KillRecord> seen = new ArrayList<>();
        KillListener bad = r -> {
            throw new IllegalStateException("down");
        };
        KillListener composite = CompositeKillListener.of(bad, seen::add);
        composite.onRecord(record(KillOutcome.KILLED));
        composite.beforeKill(record(KillOutcome.PENDING));
        assertThat(seen).hasSize(1);
    }

    @Test
    void keyValuePairTypeIsSlf4j() {
        new LoggingKillListener().onRecord(record(KillOutcome.KILLED));
        assertThat(appender.list.get(0).getKeyValuePairs()).isNotEmpty()
                .allSatisfy(p -> assertThat(p).isInstanceOf(KeyValuePair.class))
                .extracting(p -> p.key).contains("database", "rule", "outcome", "digest");
    }
}
