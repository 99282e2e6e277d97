package io.querysniper.core.log;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.Map;

/**
 * Writes one structured line per final kill record on logger {@value #LOGGER}: every field as an
 * slf4j 2 key/value pair (for the JSON encoder) plus a readable message (for text). The record holds
 * no query text, so neither does the line: only fingerprint, digest and allow-listed tags.
 * MDC keys {@code qs.node}, {@code qs.db}, {@code qs.rule} are set for the line and restored after.
 */
public final class LoggingKillListener implements KillListener {
    public static final String LOGGER = "io.querysniper.kill";

    private final Logger log;

    public LoggingKillListener() {
        this(LoggerFactory.getLogger(LOGGER));
    }

    public LoggingKillListener(Logger log) {
        this.log = log;
    }

    @Override
    @SuppressWarnings("try") // the scope is only for its side effect on the MDC
    public void onRecord(KillRecord r) {
        try (MdcScope ignored = MdcScope.of(MdcScope.NODE, r.node(), MdcScope.DB, r.database(), MdcScope.RULE, r.rule())) {
            LoggingEventBuilder b = log.atLevel(level(r.outcome()))
                    .addKeyValue("id", r.id())
                    .addKeyValue("database", r.database())
                    .addKeyValue("threadId", r.threadId())
                    .addKeyValue("queryId", r.queryId())
                    .addKeyValue("user", r.user())
                    .addKeyValue("host", r.host())
                    .addKeyValue("schema", r.schema())
                    .addKeyValue("command", r.command())
                    .addKeyValue("state", r.state())
                    .addKeyValue("ageMs", r.ageMs())
                    .addKeyValue("trxAgeMs", r.transactionAgeMs())
                    .addKeyValue("rowsModified", r.rowsModified())
                    .addKeyValue("rule", r.rule())
                    .addKeyValue("action", r.action() == null ? null : r.action().configName())
                    .addKeyValue("outcome", r.outcome().name())
                    .addKeyValue("error", r.error())
                    .addKeyValue("fingerprint", r.fingerprint())
                    .addKeyValue("digest", r.digest())
                    .addKeyValue("serverDigest", r.serverDigest())
                    .addKeyValue("dryRun", r.dryRun());
            for (Map.Entry<String, String> tag : r.tags().entrySet()) {
                b = b.addKeyValue("tag." + tag.getKey(), tag.getValue());
            }
            b.log(message(r));
        }
    }

    static Level level(KillOutcome outcome) {
        return switch (outcome) {
            case NOT_PERMITTED, ERROR, GUARD_TRIPPED, NOT_OWNER, REFUSED_IDLE_SESSION -> Level.WARN;
            default -> Level.INFO;
        };
    }

    /** The text form, e.g. {@code KILLED kill-query thread 42 (app@10.0.0.5 db=shop Query 31.2s) rule=long fp=...}. */
    static String message(KillRecord r) {
        StringBuilder m = new StringBuilder(200);
        m.append(r.outcome());
        if (r.outcome() == KillOutcome.GUARD_TRIPPED) {
            m.append(" database=").append(r.database()).append(": ").append(r.error());
            return m.toString();
        }
        if (r.action() != null) {
            m.append(' ').append(r.action().configName());
        }
        m.append(" database=").append(r.database())
                .append(" thread=").append(r.threadId())
                .append(" user=").append(r.user())
                .append(" host=").append(r.host())
                .append(" schema=").append(r.schema())
                .append(" command=").append(r.command())
                .append(" state=").append(r.state())
                .append(" age=").append(r.ageMs()).append("ms");
        if (r.transactionAgeMs() >= 0) {
            m.append(" trx=").append(r.transactionAgeMs()).append("ms rows=").append(r.rowsModified());
        }
        m.append(" rule=").append(r.rule());
        if (r.error() != null) {
            m.append(" error=\"").append(r.error()).append('"');
        }
        if (r.digest() != null) {
            m.append(" digest=").append(r.digest()).append(" fingerprint=\"").append(r.fingerprint()).append('"');
        }
        if (!r.tags().isEmpty()) {
            m.append(" tags=").append(r.tags());
        }
        if (r.dryRun()) {
            m.append(" (dry-run)");
        }
        return m.toString();
    }
}
